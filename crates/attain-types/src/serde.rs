//! The pinned serde wire format of every `Decimal` in attain's public types (feature `serde`).
//!
//! `rust_decimal`'s own `Serialize` depends on crate features that Cargo unifies across a
//! user's whole build: another crate enabling `serde-float` or `serde-arbitrary-precision`
//! would turn attain's JSON amounts into (lossy) numbers without a word. Every `Decimal` field
//! of attain's serde types goes through these modules instead, which use no `rust_decimal`
//! serde code at all:
//!
//! * **written** as a string of plain decimal text, exactly as `Display` writes it, scale
//!   kept: `"12.50"`, `"-0.5"`, `"3000000"`, never an exponent;
//! * **read** with [`crate::input::parse_amount`], the one amount grammar: exact, no exponent,
//!   no `+`, no spaces; more than 28 decimals or 96 bits is an error, never rounded. Whatever
//!   these modules write, they read back equal, with the same scale.
//!
//! ```
//! # #[cfg(feature = "serde")] {
//! use attain_types::{Decimal, dec};
//!
//! #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
//! struct Row {
//!     #[serde(with = "attain_types::serde::decimal")]
//!     amount: Decimal,
//!     #[serde(with = "attain_types::serde::decimal_option")]
//!     share: Option<Decimal>,
//! }
//! let row = Row { amount: dec!(12.50), share: None };
//! let json = serde_json::to_string(&row).unwrap();
//! assert_eq!(json, r#"{"amount":"12.50","share":null}"#);
//! assert_eq!(serde_json::from_str::<Row>(&json).unwrap(), row);
//! assert!(serde_json::from_str::<Row>(r#"{"amount":"1e3","share":null}"#).is_err());
//! # }
//! ```

use core::fmt;

use ::serde::{Deserializer, Serialize, Serializer};
use rust_decimal::Decimal;

/// A borrowed decimal written as its plain text.
struct Text<'a>(&'a Decimal);

impl Serialize for Text<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self.0)
    }
}

/// A decimal read from plain text (for options and sequences).
struct Parsed(Decimal);

impl<'de> ::serde::Deserialize<'de> for Parsed {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        decimal::deserialize(deserializer).map(Parsed)
    }
}

struct Visitor;

impl ::serde::de::Visitor<'_> for Visitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal as a string of plain decimal text (\"12.50\")")
    }

    fn visit_str<E: ::serde::de::Error>(self, v: &str) -> Result<Decimal, E> {
        crate::input::parse_amount(v).map_err(E::custom)
    }
}

/// `#[serde(with = "attain_types::serde::decimal")]` for a `Decimal` field.
pub mod decimal {
    use super::{Decimal, Deserializer, Serialize, Serializer, Text, Visitor};

    /// Writes the decimal as a string of plain decimal text (`"12.50"`).
    ///
    /// # Errors
    /// Those of the serializer.
    pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        Text(value).serialize(serializer)
    }

    /// Reads a string of plain decimal text exactly ([`crate::input::parse_amount`]).
    ///
    /// # Errors
    /// A custom error naming the text if it is not plain decimal text that a `Decimal`
    /// holds exactly; a type error for anything but a string (a JSON number included).
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        deserializer.deserialize_str(Visitor)
    }
}

/// `#[serde(with = "attain_types::serde::decimal_option")]` for an `Option<Decimal>` field
/// (`None` is `null`).
pub mod decimal_option {
    use super::{Decimal, Deserializer, Parsed, Serializer, Text};

    /// Writes `Some` as [`super::decimal`] does, `None` as the format's none (`null`).
    ///
    /// # Errors
    /// Those of the serializer.
    pub fn serialize<S: Serializer>(
        value: &Option<Decimal>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => serializer.serialize_some(&Text(v)),
            None => serializer.serialize_none(),
        }
    }

    /// Reads `null` or a decimal as [`super::decimal::deserialize`] does.
    ///
    /// # Errors
    /// As [`super::decimal::deserialize`].
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        <Option<Parsed> as ::serde::Deserialize>::deserialize(deserializer).map(|o| o.map(|p| p.0))
    }
}

/// `#[serde(with = "attain_types::serde::decimal_vec")]` for a `Vec<Decimal>` field.
pub mod decimal_vec {
    use super::{Decimal, Deserializer, Parsed, Serializer, Text};

    /// Writes a sequence of decimals, each as [`super::decimal`] does.
    ///
    /// # Errors
    /// Those of the serializer.
    pub fn serialize<S: Serializer>(value: &[Decimal], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(value.iter().map(Text))
    }

    /// Reads a sequence of decimals, each as [`super::decimal::deserialize`] does.
    ///
    /// # Errors
    /// As [`super::decimal::deserialize`].
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<Decimal>, D::Error> {
        <Vec<Parsed> as ::serde::Deserialize>::deserialize(deserializer)
            .map(|v| v.into_iter().map(|p| p.0).collect())
    }
}
