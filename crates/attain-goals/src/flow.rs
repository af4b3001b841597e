//! A minimum-cost flow by the primal-dual method: Dijkstra on reduced costs (potentials
//! started by Bellman-Ford) finds the shortest distance, then a blocking flow (Dinic) sends
//! as much as fits along every shortest path at once. Exact integers, no recursion (no stack
//! overflow on large tables).

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
        let mut done = vec![false; n];
        while sent < limit {
            dist.fill(i128::MAX);
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
            // Every s-t path of zero reduced cost is now a shortest one: send a blocking flow
            // along them (Dinic on the admissible edges) before the next search.
            let pushed = self.blocking_flow(s, t, limit - sent, &pot)?;
            if pushed == 0 {
                // Unreachable with valid potentials (a shortest path is admissible).
                return None;
            }
            sent += pushed;
        }
        Some(sent)
    }

    /// Whether residual edge `e` out of `u` has capacity and zero reduced cost.
    fn admissible(&self, u: usize, e: usize, pot: &[i128]) -> Option<bool> {
        let reduced = self.cost[e]
            .checked_add(pot[u])?
            .checked_sub(pot[self.to[e]])?;
        Some(self.cap[e] > 0 && reduced == 0)
    }

    /// Dinic's blocking flow from `s` to `t` over the admissible edges, at most `limit` units;
    /// iterative (no recursion). Returns the units sent, or `None` on overflow.
    fn blocking_flow(&mut self, s: usize, t: usize, limit: i64, pot: &[i128]) -> Option<i64> {
        let n = self.adj.len();
        let mut total = 0i64;
        let mut level = vec![usize::MAX; n];
        let mut it = vec![0usize; n];
        let mut path: Vec<usize> = Vec::new();
        while total < limit {
            level.fill(usize::MAX);
            level[s] = 0;
            let mut queue = std::collections::VecDeque::from([s]);
            while let Some(u) = queue.pop_front() {
                for &e in &self.adj[u] {
                    let v = self.to[e];
                    if level[v] == usize::MAX && self.admissible(u, e, pot)? {
                        level[v] = level[u] + 1;
                        queue.push_back(v);
                    }
                }
            }
            if level[t] == usize::MAX {
                break;
            }
            it.fill(0);
            let before = total;
            let mut u = s;
            path.clear();
            while total < limit {
                if u == t {
                    let mut f = limit - total;
                    for &e in &path {
                        f = f.min(self.cap[e]);
                    }
                    for &e in &path {
                        self.cap[e] -= f;
                        self.cap[e ^ 1] += f;
                    }
                    total += f;
                    path.clear();
                    u = s;
                    continue;
                }
                let mut advanced = false;
                while it[u] < self.adj[u].len() {
                    let e = self.adj[u][it[u]];
                    let v = self.to[e];
                    if level[v] == level[u] + 1 && self.admissible(u, e, pot)? {
                        path.push(e);
                        u = v;
                        advanced = true;
                        break;
                    }
                    it[u] += 1;
                }
                if !advanced {
                    match path.pop() {
                        None => break,
                        Some(e) => {
                            level[u] = usize::MAX; // dead end for this phase
                            u = self.to[e ^ 1];
                            it[u] += 1;
                        }
                    }
                }
            }
            if total == before {
                break;
            }
        }
        Some(total)
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
