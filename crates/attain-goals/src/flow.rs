//! A minimum-cost flow by successive shortest paths (Dijkstra on reduced costs, potentials
//! started by Bellman-Ford), in exact integers, with no recursion (no stack overflow on large
//! tables).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A network with integer capacities and exact integer costs per unit of flow.
#[derive(Debug)]
pub(crate) struct CostFlow {
    to: Vec<usize>,
    cap: Vec<i64>,
    cost: Vec<i128>,
    adj: Vec<Vec<usize>>,
}

impl CostFlow {
    pub(crate) fn new(nodes: usize) -> CostFlow {
        CostFlow {
            to: Vec::new(),
            cap: Vec::new(),
            cost: Vec::new(),
            adj: vec![Vec::new(); nodes],
        }
    }

    /// Adds `u -> v` with capacity `c` and cost `w` per unit; returns the edge index.
    pub(crate) fn add_edge(&mut self, u: usize, v: usize, c: i64, w: i128) -> usize {
        let e = self.to.len();
        self.to.push(v);
        self.cap.push(c);
        self.cost.push(w);
        self.adj[u].push(e);
        self.to.push(u);
        self.cap.push(0);
        self.cost.push(-w);
        self.adj[v].push(e + 1);
        e
    }

    /// The residual capacity of edge `e`.
    pub(crate) fn residual(&self, e: usize) -> i64 {
        self.cap[e]
    }

    /// Sends up to `limit` units from `s` to `t` at minimum total cost, by successive
    /// shortest paths. The network must have no cycle of negative cost (it is checked:
    /// Bellman-Ford then fails to settle). Returns the flow sent, or `None` if a cost
    /// overflows `i128` or a negative cycle is found.
    pub(crate) fn min_cost_flow(&mut self, s: usize, t: usize, limit: i64) -> Option<i64> {
        let n = self.adj.len();
        // Potentials: shortest distances from a virtual node joined to every node at cost 0.
        let mut pot = vec![0i128; n];
        let mut rounds = 0usize;
        loop {
            let mut changed = false;
            for u in 0..n {
                for &e in &self.adj[u] {
                    if self.cap[e] > 0 {
                        let d = pot[u].checked_add(self.cost[e])?;
                        if d < pot[self.to[e]] {
                            pot[self.to[e]] = d;
                            changed = true;
                        }
                    }
                }
            }
            if !changed {
                break;
            }
            rounds += 1;
            if rounds > n {
                return None;
            }
        }
        let mut sent = 0i64;
        let mut dist = vec![0i128; n];
        let mut prev = vec![usize::MAX; n];
        let mut done = vec![false; n];
        while sent < limit {
            dist.fill(i128::MAX);
            prev.fill(usize::MAX);
            done.fill(false);
            dist[s] = 0;
            let mut heap = BinaryHeap::from([Reverse((0i128, s))]);
            while let Some(Reverse((d, u))) = heap.pop() {
                if done[u] {
                    continue;
                }
                done[u] = true;
                if u == t {
                    // Every unsettled node is at least this far: the capped update below
                    // needs no more.
                    break;
                }
                for &e in &self.adj[u] {
                    let v = self.to[e];
                    if self.cap[e] <= 0 || done[v] {
                        continue;
                    }
                    // Reduced costs are non-negative by the potentials' invariant.
                    let reduced = self.cost[e].checked_add(pot[u])?.checked_sub(pot[v])?;
                    let nd = d.checked_add(reduced)?;
                    if nd < dist[v] {
                        dist[v] = nd;
                        prev[v] = e;
                        heap.push(Reverse((nd, v)));
                    }
                }
            }
            if !done[t] {
                break;
            }
            // Capped update keeps every residual edge's reduced cost non-negative.
            let cap_d = dist[t];
            for v in 0..n {
                let d = if done[v] { dist[v] } else { cap_d };
                pot[v] = pot[v].checked_add(d)?;
            }
            let mut f = limit - sent;
            let mut v = t;
            while v != s {
                let e = prev[v];
                f = f.min(self.cap[e]);
                v = self.to[e ^ 1];
            }
            let mut v = t;
            while v != s {
                let e = prev[v];
                self.cap[e] -= f;
                self.cap[e ^ 1] += f;
                v = self.to[e ^ 1];
            }
            sent += f;
        }
        Some(sent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_flow_takes_the_cheaper_paths() {
        // Two units from 0 to 3: the path through 1 costs 1 (capacity 1), through 2 costs 5,
        // and the direct edge costs 4 (capacity 1): 1 + 4 = 5.
        let mut f = CostFlow::new(4);
        f.add_edge(0, 1, 1, 0);
        f.add_edge(1, 3, 1, 1);
        f.add_edge(0, 2, 2, 2);
        f.add_edge(2, 3, 2, 3);
        let direct = f.add_edge(0, 3, 1, 4);
        assert_eq!(f.min_cost_flow(0, 3, 2), Some(2));
        assert_eq!(f.residual(direct), 0);
        // A negative edge is fine without a negative cycle.
        let mut g = CostFlow::new(3);
        g.add_edge(0, 1, 1, -5);
        g.add_edge(1, 2, 1, 1);
        let worse = g.add_edge(0, 2, 1, 0);
        assert_eq!(g.min_cost_flow(0, 2, 1), Some(1));
        assert_eq!(g.residual(worse), 1);
    }
}
