//! CLV model tests (being built).
