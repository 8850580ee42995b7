//! The text of scalar elements (`<int>`, `<double>`, `<boolean>`, …) turned into JSON.

use std::borrow::Cow;
use std::num::IntErrorKind;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use serde_json::{Number, Value};

use super::{Error, excerpt};

/// XML-RPC scalar types, one per tag name (kept for error messages). Fieldless, so a
/// [`Tag`](super::tokens::Tag) is a small `Copy` value compared without touching strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scalar {
    Int,
    I4,
    I8,
    I1,
    I2,
    BigInteger,
    Double,
    Float,
    BigDecimal,
    Boolean,
    String,
    DateTime,
    Base64,
}

impl Scalar {
    pub(super) fn from_tag(name: &[u8]) -> Option<Scalar> {
        Some(match name {
            b"string" => Scalar::String,
            b"int" => Scalar::Int,
            b"boolean" => Scalar::Boolean,
            b"double" => Scalar::Double,
            b"i4" => Scalar::I4,
            b"i8" => Scalar::I8,
            b"i1" => Scalar::I1,
            b"i2" => Scalar::I2,
            b"biginteger" => Scalar::BigInteger,
            b"float" => Scalar::Float,
            b"bigdecimal" => Scalar::BigDecimal,
            b"dateTime.iso8601" => Scalar::DateTime,
            b"base64" => Scalar::Base64,
            _ => return None,
        })
    }

    pub(super) fn tag(self) -> &'static str {
        match self {
            Scalar::Int => "int",
            Scalar::I4 => "i4",
            Scalar::I8 => "i8",
            Scalar::I1 => "i1",
            Scalar::I2 => "i2",
            Scalar::BigInteger => "biginteger",
            Scalar::Double => "double",
            Scalar::Float => "float",
            Scalar::BigDecimal => "bigdecimal",
            Scalar::Boolean => "boolean",
            Scalar::String => "string",
            Scalar::DateTime => "dateTime.iso8601",
            Scalar::Base64 => "base64",
        }
    }

    /// Converts the element's text; `offset` locates it for errors.
    pub(super) fn parse(self, text: Cow<'_, str>, offset: u64) -> Result<Value, Error> {
        let bad_value = |reason| Error::BadValue {
            tag: self.tag(),
            text: excerpt(&text),
            reason,
            offset,
        };
        match self {
            Scalar::String => Ok(Value::String(text.into_owned())),
            Scalar::Int
            | Scalar::I4
            | Scalar::I8
            | Scalar::I1
            | Scalar::I2
            | Scalar::BigInteger => parse_int(self.tag(), &text, offset),
            Scalar::Double | Scalar::Float | Scalar::BigDecimal => {
                parse_double(self.tag(), &text, offset)
            }
            Scalar::Boolean => match text.trim() {
                "0" => Ok(Value::Bool(false)),
                "1" => Ok(Value::Bool(true)),
                _ => Err(bad_value("expected 0 or 1")),
            },
            Scalar::DateTime => odoo_datetime(text.trim())
                .map(Value::String)
                .map_err(bad_value),
            Scalar::Base64 => base64_text(&text).map(Value::String).map_err(bad_value),
        }
    }
}

fn parse_int(tag: &'static str, text: &str, offset: u64) -> Result<Value, Error> {
    let trimmed = text.trim();
    match trimmed.parse::<i64>() {
        Ok(i) => Ok(Value::from(i)),
        Err(e)
            if matches!(
                e.kind(),
                IntErrorKind::PosOverflow | IntErrorKind::NegOverflow
            ) =>
        {
            Err(Error::IntegerOutOfRange {
                text: excerpt(trimmed),
                offset,
            })
        }
        Err(_) => Err(Error::BadNumber {
            tag,
            text: excerpt(text),
            offset,
        }),
    }
}

fn parse_double(tag: &'static str, text: &str, offset: u64) -> Result<Value, Error> {
    // JSON has no NaN or infinity, so "nan", "inf" and overflowing literals are refused.
    match text.trim().parse::<f64>().ok().and_then(Number::from_f64) {
        Some(n) => Ok(Value::Number(n)),
        None => Err(Error::BadNumber {
            tag,
            text: excerpt(text),
            offset,
        }),
    }
}

/// ISO 8601 basic (`20260102T03:04:05`, Python's form, or `20260102T030405`) or extended
/// (`2026-01-02T03:04:05`) date-time, optional fraction and zone, to Odoo's
/// `"2026-01-02 03:04:05"`. A zone offset is applied so the result is UTC, as Odoo stores it;
/// the fraction is dropped, as Odoo keeps seconds.
fn odoo_datetime(text: &str) -> Result<String, &'static str> {
    let (date, time) = text
        .split_once('T')
        .ok_or("expected date and time separated by 'T'")?;
    let date = parse_date(date)?;
    let (time, offset_seconds) = split_zone(time)?;
    let time = parse_time(time)?;
    let utc = NaiveDateTime::new(date, time)
        .checked_sub_signed(TimeDelta::seconds(offset_seconds))
        .ok_or("date out of range")?;
    Ok(utc.format("%Y-%m-%d %H:%M:%S").to_string())
}

fn parse_date(date: &str) -> Result<NaiveDate, &'static str> {
    const FORM: &str = "expected date as YYYYMMDD or YYYY-MM-DD";
    let (y, m, d) = match date.len() {
        8 => (&date[0..4], &date[4..6], &date[6..8]),
        10 if date.as_bytes()[4] == b'-' && date.as_bytes()[7] == b'-' => {
            (&date[0..4], &date[5..7], &date[8..10])
        }
        _ => return Err(FORM),
    };
    let (y, m, d) = (
        digits(y).ok_or(FORM)?,
        digits(m).ok_or(FORM)?,
        digits(d).ok_or(FORM)?,
    );
    NaiveDate::from_ymd_opt(i32::try_from(y).map_err(|_| FORM)?, m, d).ok_or("no such date")
}

/// Splits `HH:MM:SS[.fff](Z|±HH[:MM])` into the time and the zone offset in seconds.
fn split_zone(time: &str) -> Result<(&str, i64), &'static str> {
    const FORM: &str = "expected zone as Z, ±HH, ±HHMM or ±HH:MM";
    if let Some(time) = time.strip_suffix('Z') {
        return Ok((time, 0));
    }
    let Some(at) = time.rfind(['+', '-']) else {
        return Ok((time, 0));
    };
    let (time, zone) = time.split_at(at);
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let zone = &zone[1..];
    let (hours, minutes) = match zone.len() {
        2 => (zone, "00"),
        4 => zone.split_at(2),
        5 if zone.as_bytes()[2] == b':' => (&zone[0..2], &zone[3..5]),
        _ => return Err(FORM),
    };
    let (hours, minutes) = (digits(hours).ok_or(FORM)?, digits(minutes).ok_or(FORM)?);
    if hours > 23 || minutes > 59 {
        return Err("zone offset out of range");
    }
    Ok((time, sign * i64::from(hours * 3600 + minutes * 60)))
}

fn parse_time(time: &str) -> Result<NaiveTime, &'static str> {
    const FORM: &str = "expected time as HH:MM:SS or HHMMSS";
    let (time, fraction) = time.split_once(['.', ',']).unwrap_or((time, "0"));
    if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err("expected digits after the decimal point");
    }
    let (h, m, s) = match time.len() {
        6 => (&time[0..2], &time[2..4], &time[4..6]),
        8 if time.as_bytes()[2] == b':' && time.as_bytes()[5] == b':' => {
            (&time[0..2], &time[3..5], &time[6..8])
        }
        _ => return Err(FORM),
    };
    let (h, m, s) = (
        digits(h).ok_or(FORM)?,
        digits(m).ok_or(FORM)?,
        digits(s).ok_or(FORM)?,
    );
    NaiveTime::from_hms_opt(h, m, s).ok_or("no such time of day")
}

/// A non-empty run of ASCII digits (no sign, no spaces) as a number.
fn digits(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 9 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The base64 text with whitespace (line breaks of wrapped base64) removed, checked to be
/// base64 but not decoded: Odoo hands binary fields around as base64 text anyway.
fn base64_text(text: &str) -> Result<String, &'static str> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let body = compact.trim_end_matches('=');
    if compact.len() - body.len() > 2 {
        return Err("too much '=' padding");
    }
    if !body
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
    {
        return Err("not base64 (alphabet A-Z a-z 0-9 + / and = padding)");
    }
    if !compact.len().is_multiple_of(4) {
        return Err("base64 length is not a multiple of 4");
    }
    Ok(compact)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_become_odoo_strings() {
        for (input, expected) in [
            ("20260102T03:04:05", "2026-01-02 03:04:05"),
            ("20260102T030405", "2026-01-02 03:04:05"),
            ("2026-01-02T03:04:05", "2026-01-02 03:04:05"),
            ("2026-01-02T03:04:05Z", "2026-01-02 03:04:05"),
            ("2026-01-02T03:04:05.123456", "2026-01-02 03:04:05"),
            ("2026-01-02T03:04:05+02:00", "2026-01-02 01:04:05"),
            ("20260102T01:04:05-0300", "2026-01-02 04:04:05"),
            ("20260101T00:30:00+01", "2025-12-31 23:30:00"),
        ] {
            assert_eq!(odoo_datetime(input).as_deref(), Ok(expected), "{input}");
        }
    }

    #[test]
    fn bad_datetimes_say_why() {
        for (input, reason) in [
            (
                "2026-01-02 03:04:05",
                "expected date and time separated by 'T'",
            ),
            ("2026-13-02T03:04:05", "no such date"),
            ("2026-02-30T03:04:05", "no such date"),
            ("20260102T25:04:05", "no such time of day"),
            ("20260102T03:04", "expected time as HH:MM:SS or HHMMSS"),
            (
                "2026012T03:04:05",
                "expected date as YYYYMMDD or YYYY-MM-DD",
            ),
            (
                "20260102T03:04:05+2",
                "expected zone as Z, ±HH, ±HHMM or ±HH:MM",
            ),
            (
                "20260102T03:04:05.x",
                "expected digits after the decimal point",
            ),
        ] {
            assert_eq!(odoo_datetime(input), Err(reason), "{input}");
        }
    }

    #[test]
    fn base64_is_kept_as_text() {
        assert_eq!(base64_text(" aGVs\nbG8=\n").as_deref(), Ok("aGVsbG8="));
        assert_eq!(base64_text("").as_deref(), Ok(""));
        assert!(base64_text("aGVsbG8").is_err());
        assert!(base64_text("a*==").is_err());
        assert!(base64_text("a===").is_err());
    }

    #[test]
    fn numbers() {
        let int = |t: &str| parse_int("int", t, 0);
        assert_eq!(int(" 42\n").unwrap(), Value::from(42));
        assert_eq!(int("+7").unwrap(), Value::from(7));
        assert_eq!(int("-9223372036854775808").unwrap(), Value::from(i64::MIN));
        assert!(matches!(
            int("9223372036854775808"),
            Err(Error::IntegerOutOfRange { .. })
        ));
        assert!(matches!(
            int("-99999999999999999999"),
            Err(Error::IntegerOutOfRange { .. })
        ));
        assert!(matches!(int(""), Err(Error::BadNumber { tag: "int", .. })));
        assert!(matches!(int("1.5"), Err(Error::BadNumber { .. })));
        let double = |t: &str| parse_double("double", t, 0);
        assert_eq!(double("1.5").unwrap(), serde_json::json!(1.5));
        assert_eq!(double("-3").unwrap(), serde_json::json!(-3.0));
        for bad in ["nan", "inf", "-infinity", "1e999", "", "1,5"] {
            assert!(matches!(double(bad), Err(Error::BadNumber { .. })), "{bad}");
        }
    }
}
