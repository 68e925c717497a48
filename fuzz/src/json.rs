//! JSON values built from fuzzer bytes, biased towards what decoders and the normalizer treat
//! specially: the field names of the schemas, enum values, timestamps at the edges of the
//! calendar, UUIDs, numbers at the edges of each integer type.

use arbitrary::{Result, Unstructured};
use serde_json::{Map, Number, Value};

/// Strings that mean something to some decoder.
const INTERESTING_STRINGS: &[&str] = &[
    "",
    " ",
    "null",
    "0",
    "-1",
    "1e400",
    "NaN",
    "a93b5e10-47f2-4d8e-b0c6-3e71d5f08a22",
    "A93B5E10-47F2-4D8E-B0C6-3E71D5F08A22",
    "a93b5e1047f24d8eb0c63e71d5f08a22",
    "{a93b5e10-47f2-4d8e-b0c6-3e71d5f08a22}",
    "urn:uuid:a93b5e10-47f2-4d8e-b0c6-3e71d5f08a22",
    "00000000-0000-0000-0000-000000000000",
    "2026-11-02T14:05:31.123456Z",
    "2026-11-02T14:05:31Z",
    "2026-11-02 14:05:31+00:00",
    "2026-11-02T14:05:31.999999999999Z",
    "2016-12-31T23:59:60Z",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-23:59",
    "0000-01-01T00:00:00Z",
    "0000-01-01T00:00:00+23:59",
    "+10000-01-01T00:00:00Z",
    "-0001-12-31T23:00:00Z",
    "2026-02-30T00:00:00Z",
    "2026-11-02",
    "DEPLOYED",
    "BUILD_FAILED",
    "UNKNOWN",
    "github",
    "internal_template",
    "dev",
    "prod",
    "k8s",
    "asc",
    "desc",
    "build",
    "deploy",
    "ERROR",
    "completed",
    "pending",
    "client_secret_post",
    "\u{0}",
    "\u{feff}",
    "\u{10ffff}",
    "é",
    "\\",
    "\"",
];

/// Numbers at the edges of the integer and float types serde_json maps to.
fn interesting_number(u: &mut Unstructured) -> Result<Value> {
    Ok(match u.int_in_range(0..=11)? {
        0 => Value::from(0),
        1 => Value::from(-1),
        2 => Value::from(i64::MAX),
        3 => Value::from(i64::MIN),
        4 => Value::from(u64::MAX),
        5 => Value::from(i32::MAX as i64 + 1),
        6 => Value::from(-0.0),
        7 => Value::from(f64::MAX),
        8 => Value::from(f64::MIN_POSITIVE),
        9 => Value::from(5e-324),
        10 => Value::from(0.1),
        _ => {
            let f: f64 = u.arbitrary()?;
            Number::from_f64(f).map_or(Value::Null, Value::Number)
        }
    })
}

/// A string: an interesting one, one of `extra`, or arbitrary.
pub fn string(u: &mut Unstructured, extra: &[String]) -> Result<String> {
    Ok(match u.int_in_range(0..=3)? {
        0 => (*u.choose(INTERESTING_STRINGS)?).to_string(),
        1 if !extra.is_empty() => u.choose(extra)?.clone(),
        _ => u.arbitrary()?,
    })
}

/// A JSON value at most `depth` levels deep, with keys and strings drawn partly from `words`.
pub fn value(u: &mut Unstructured, words: &[String], depth: u32) -> Result<Value> {
    let top = if depth == 0 { 5 } else { 7 };
    Ok(match u.int_in_range(0..=top)? {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => Value::from(u.arbitrary::<i64>()?),
        3 => interesting_number(u)?,
        4 | 5 => Value::String(string(u, words)?),
        6 => {
            let len = u.int_in_range(0..=4)?;
            let mut items = Vec::with_capacity(len);
            for _ in 0..len {
                items.push(value(u, words, depth - 1)?);
            }
            Value::Array(items)
        }
        _ => {
            let len = u.int_in_range(0..=5)?;
            let mut map = Map::new();
            for _ in 0..len {
                let key = string(u, words)?;
                map.insert(key, value(u, words, depth - 1)?);
            }
            Value::Object(map)
        }
    })
}

/// Every object key and string in `value`, for use as a dictionary.
pub fn words(value: &Value, into: &mut Vec<String>) {
    match value {
        Value::String(s) => into.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| words(v, into)),
        Value::Object(map) => {
            for (k, v) in map {
                into.push(k.clone());
                words(v, into);
            }
        }
        _ => {}
    }
}
