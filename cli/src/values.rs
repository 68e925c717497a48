//! Values on the command line that several commands parse: UUIDs, paging, and the known values of
//! an open enum.

use clap::Args;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use uuid::Uuid;

/// How many items a listing prints.
#[derive(Debug, Args)]
pub struct Paging {
    /// Print at most N items [default: 20]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..), conflicts_with = "all")]
    pub limit: Option<u32>,
    /// Print every item, fetching as many pages as needed
    #[arg(long)]
    pub all: bool,
}

impl Paging {
    /// The item cap for the facade's listing; `None` for all.
    pub fn max_items(&self) -> Option<usize> {
        if self.all {
            None
        } else {
            Some(self.limit.unwrap_or(20) as usize)
        }
    }
}

/// A UUID, with an example in the error.
pub fn uuid(text: &str) -> Result<Uuid, String> {
    Uuid::parse_str(text.trim())
        .map_err(|_| "not a UUID (expected e.g. 6f1c2a34-8b1e-4c7d-9a55-0d2f6c1e9b01)".to_string())
}

/// A parser that accepts the known values of an open enum, case-insensitively, and lists them in
/// help and errors. A value this version does not know is refused: on the command line it is far
/// more likely a typo than a value the service added.
pub fn one_of<T>(
    known: &'static [T],
    name: fn(&'static T) -> &'static str,
) -> impl TypedValueParser<Value = T>
where
    T: Clone + Send + Sync + 'static + for<'a> From<&'a str>,
{
    PossibleValuesParser::new(known.iter().map(name)).map(move |value| {
        // With `ignore_case`, clap hands back the value as typed: use the canonical spelling.
        known
            .iter()
            .find(|candidate| name(candidate).eq_ignore_ascii_case(&value))
            .cloned()
            .unwrap_or_else(|| T::from(value.as_str()))
    })
}
