//! Probabilistic customer lifetime value (being built).
