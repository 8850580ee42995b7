//! The current time in Odoo's datetime format. Odoo stores datetimes in UTC; the seed
//! system wrote server-local time into `date_conversion`, which this replaces.

use std::time::{SystemTime, UNIX_EPOCH};

/// Now, in UTC, as `YYYY-MM-DD HH:MM:SS`.
pub fn now_utc() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format_utc(secs)
}

/// Seconds since the Unix epoch as `YYYY-MM-DD HH:MM:SS` (UTC).
pub fn format_utc(secs: u64) -> String {
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Howard Hinnant's `civil_from_days`: proleptic Gregorian date of a day count.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// True for `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS` with plausible ranges.
pub fn is_odoo_datetime(text: &str) -> bool {
    let (date, time) = match text.split_once(' ') {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let num = |s: &str, len: usize, max: u32| {
        s.len() == len
            && s.bytes().all(|b| b.is_ascii_digit())
            && s.parse::<u32>().is_ok_and(|n| n <= max)
    };
    let date_ok = matches!(date.split('-').collect::<Vec<_>>()[..],
        [y, m, d] if num(y, 4, 9999) && num(m, 2, 12) && m != "00" && num(d, 2, 31) && d != "00");
    let time_ok = time.is_none_or(|t| {
        matches!(t.split(':').collect::<Vec<_>>()[..],
            [h, mi, s] if num(h, 2, 23) && num(mi, 2, 59) && num(s, 2, 59))
    });
    date_ok && time_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_epoch_seconds_in_utc() {
        assert_eq!(format_utc(0), "1970-01-01 00:00:00");
        assert_eq!(format_utc(951_782_400), "2000-02-29 00:00:00");
        assert_eq!(format_utc(1_798_761_599), "2026-12-31 23:59:59");
        assert!(now_utc().starts_with("20"));
    }

    #[test]
    fn recognizes_odoo_dates_and_datetimes() {
        assert!(is_odoo_datetime("2026-11-20"));
        assert!(is_odoo_datetime("2026-11-20 16:00:00"));
        for bad in [
            "2026-13-01",
            "2026-11-20T16:00:00",
            "20-11-2026",
            "2026-11-20 24:00:00",
            "tomorrow",
        ] {
            assert!(!is_odoo_datetime(bad), "{bad}");
        }
    }
}
