//! attain's functions in an Apache Ballista cluster (the `ballista` feature).
//!
//! Ballista plans a query on its scheduler and runs it on its executors, each a separate
//! process that looks user-defined functions up by name: the scheduler in its session
//! state, an executor in its function registry. Both must hold attain's functions, built
//! from the same [`RfmFunctions`], because `rfm`'s `as_of` and options live in the function
//! object and not in the plan:
//!
//! - a scheduler: `SchedulerConfig::with_override_session_builder` with
//!   [`scheduler_session_state`];
//! - an executor: `ExecutorProcessConfig::override_function_registry` set to
//!   [`executor_function_registry`];
//! - the client: a context from `ballista::prelude::SessionContextExt::remote`, then
//!   [`crate::register`] on it (Ballista's `remote_with_state` replaces the state's
//!   function lists with its own, so register after connecting, not before).
//!
//! `attain-cli`'s `ballista` feature builds exactly this as two binaries,
//! `attain-ballista-scheduler` and `attain-ballista-executor`, and `attain sql --ballista`.
//!
//! ```
//! use attain_datafusion::{RfmFunctions, ballista};
//! use attain_types::NaiveDate;
//! use ballista_core::extension::SessionConfigExt;
//! use datafusion::prelude::SessionConfig;
//!
//! let functions = RfmFunctions::new(NaiveDate::from_ymd_opt(1998, 7, 1).ok_or("bad date")?);
//! let state = ballista::scheduler_session_state(SessionConfig::new_with_ballista(), &functions)?;
//! assert!(state.aggregate_functions().contains_key("rfm"));
//! let registry = ballista::executor_function_registry(&functions);
//! assert!(registry.window_functions.contains_key("rfm_score"));
//! assert!(registry.scalar_functions.contains_key("rfm_segment"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use ballista_core::registry::BallistaFunctionRegistry;
use datafusion::error::Result as DFResult;
use datafusion::execution::session_state::SessionState;
use datafusion::prelude::SessionConfig;

use crate::RfmFunctions;

/// The session state a Ballista scheduler plans with: Ballista's default state for `config`
/// (its optimizer rules and functions) plus every attain function of `functions`.
///
/// Pass it to `SchedulerConfig::with_override_session_builder` as
/// `Arc::new(move |config| scheduler_session_state(config, &functions))`.
///
/// # Errors
///
/// Whatever Ballista's default session builder returns (it builds a runtime environment).
pub fn scheduler_session_state(
    config: SessionConfig,
    functions: &RfmFunctions,
) -> DFResult<SessionState> {
    let mut state = ballista_core::utils::default_session_builder(config)?;
    functions.register_into(&mut state)?;
    Ok(state)
}

/// The function registry a Ballista executor runs plans with: Ballista's default functions
/// plus every attain function of `functions` (a function of the same name is replaced).
///
/// Set it as `ExecutorProcessConfig::override_function_registry` (in an `Arc`).
#[must_use]
pub fn executor_function_registry(functions: &RfmFunctions) -> BallistaFunctionRegistry {
    let mut registry = BallistaFunctionRegistry::default();
    for f in functions.aggregate_udfs() {
        registry.aggregate_functions.insert(f.name().to_owned(), f);
    }
    for f in functions.window_udfs() {
        registry.window_functions.insert(f.name().to_owned(), f);
    }
    for f in functions.scalar_udfs() {
        registry.scalar_functions.insert(f.name().to_owned(), f);
    }
    registry
}

#[cfg(test)]
mod tests {
    use super::*;
    use attain_types::NaiveDate;
    use ballista_core::extension::SessionConfigExt;

    fn functions() -> RfmFunctions {
        RfmFunctions::new(NaiveDate::from_ymd_opt(1998, 7, 1).unwrap())
    }

    #[test]
    fn scheduler_state_has_attain_and_ballista_functions() {
        let state =
            scheduler_session_state(SessionConfig::new_with_ballista(), &functions()).unwrap();
        for name in ["rfm", "window_funnel", "retention"] {
            assert!(state.aggregate_functions().contains_key(name), "{name}");
        }
        assert!(state.window_functions().contains_key("rfm_score"));
        for name in ["rfm_segment", "period_start", "period_index"] {
            assert!(state.scalar_functions().contains_key(name), "{name}");
        }
        // Ballista's own defaults stay: a core aggregate and a core scalar function.
        assert!(state.aggregate_functions().contains_key("sum"));
        assert!(state.scalar_functions().contains_key("get_field"));
    }

    #[test]
    fn executor_registry_replaces_by_name_and_keeps_defaults() {
        let defaults = BallistaFunctionRegistry::default();
        let registry = executor_function_registry(&functions());
        assert!(!defaults.aggregate_functions.contains_key("rfm"));
        let rfm = registry.aggregate_functions.get("rfm").unwrap();
        let rfm = rfm.inner().downcast_ref::<crate::RfmAggregate>().unwrap();
        assert_eq!(rfm.as_of(), functions().as_of);
        assert_eq!(
            registry.scalar_functions.len(),
            defaults.scalar_functions.len() + 3
        );
        assert_eq!(
            registry.window_functions.len(),
            defaults.window_functions.len() + 1
        );
        assert_eq!(
            registry.aggregate_functions.len(),
            defaults.aggregate_functions.len() + 3
        );
    }
}
