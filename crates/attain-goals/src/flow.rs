//! Dinic's maximum flow with an iterative depth-first search (no recursion, so no stack
//! overflow on large tables).

use std::collections::VecDeque;

#[derive(Debug)]
pub(crate) struct Flow {
    to: Vec<usize>,
    cap: Vec<i64>,
    adj: Vec<Vec<usize>>,
}

impl Flow {
    pub(crate) fn new(nodes: usize) -> Flow {
        Flow {
            to: Vec::new(),
            cap: Vec::new(),
            adj: vec![Vec::new(); nodes],
        }
    }

    /// Adds `u -> v` with capacity `c`; returns the edge index (its residual is `cap(e)`).
    pub(crate) fn add_edge(&mut self, u: usize, v: usize, c: i64) -> usize {
        let e = self.to.len();
        self.to.push(v);
        self.cap.push(c);
        self.adj[u].push(e);
        self.to.push(u);
        self.cap.push(0);
        self.adj[v].push(e + 1);
        e
    }

    /// The residual capacity of edge `e`.
    pub(crate) fn residual(&self, e: usize) -> i64 {
        self.cap[e]
    }

    fn bfs(&self, s: usize, t: usize, level: &mut [i64]) -> bool {
        level.fill(-1);
        level[s] = 0;
        let mut q = VecDeque::from([s]);
        while let Some(u) = q.pop_front() {
            for &e in &self.adj[u] {
                let v = self.to[e];
                if self.cap[e] > 0 && level[v] < 0 {
                    level[v] = level[u] + 1;
                    q.push_back(v);
                }
            }
        }
        level[t] >= 0
    }

    pub(crate) fn max_flow(&mut self, s: usize, t: usize) -> i64 {
        let n = self.adj.len();
        let mut level = vec![-1i64; n];
        let mut it = vec![0usize; n];
        let mut total = 0i64;
        let mut path: Vec<usize> = Vec::new();
        while self.bfs(s, t, &mut level) {
            it.fill(0);
            let mut u = s;
            path.clear();
            loop {
                if u == t {
                    let f = path.iter().map(|&e| self.cap[e]).min().unwrap_or(0);
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
                    if self.cap[e] > 0 && level[v] == level[u] + 1 {
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
                            level[u] = -1; // dead end for this phase
                            u = self.to[e ^ 1];
                            it[u] += 1;
                        }
                    }
                }
            }
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_small_network() {
        let mut f = Flow::new(4);
        f.add_edge(0, 1, 3);
        f.add_edge(0, 2, 2);
        f.add_edge(1, 2, 1);
        f.add_edge(1, 3, 2);
        f.add_edge(2, 3, 3);
        assert_eq!(f.max_flow(0, 3), 5);
    }
}
