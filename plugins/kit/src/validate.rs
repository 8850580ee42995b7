//! Argument checks. Each failure is a [`ToolError::InvalidInput`] that starts with the
//! argument's name and says what would be accepted, so an agent can fix the call
//! (`"email: 'maria@' is not a valid address"`).

use daniel_plugin_sdk::ToolError;

/// A record id: positive.
///
/// # Errors
///
/// `field: must be a positive record id, got N`.
pub fn id(field: &str, id: i64) -> Result<i64, ToolError> {
    if id > 0 {
        Ok(id)
    } else {
        Err(ToolError::invalid_input(format!(
            "{field}: must be a positive record id, got {id}"
        )))
    }
}

/// An optional record id: positive when given.
///
/// # Errors
///
/// As [`id`].
pub fn opt_id(field: &str, value: Option<i64>) -> Result<Option<i64>, ToolError> {
    value.map(|v| id(field, v)).transpose()
}

/// A quantity: finite and greater than zero.
///
/// # Errors
///
/// `field: must be greater than 0, got N`.
pub fn quantity(field: &str, qty: f64) -> Result<f64, ToolError> {
    if qty.is_finite() && qty > 0.0 {
        Ok(qty)
    } else {
        Err(ToolError::invalid_input(format!(
            "{field}: must be greater than 0, got {qty}"
        )))
    }
}

/// A price: finite and not negative.
///
/// # Errors
///
/// `field: must be 0 or more, got N`.
pub fn price(field: &str, price: f64) -> Result<f64, ToolError> {
    if price.is_finite() && price >= 0.0 {
        Ok(price)
    } else {
        Err(ToolError::invalid_input(format!(
            "{field}: must be 0 or more, got {price}"
        )))
    }
}

/// Text that must not be blank, trimmed.
///
/// # Errors
///
/// `field: must not be empty`.
pub fn required(field: &str, text: &str) -> Result<String, ToolError> {
    let text = text.trim();
    if text.is_empty() {
        Err(ToolError::invalid_input(format!(
            "{field}: must not be empty"
        )))
    } else {
        Ok(text.to_owned())
    }
}

/// Optional text: trimmed, and `None` when blank.
pub fn optional(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// Normalizes an email address: trimmed, lowercased, accents folded (`López` →
/// `lopez`), whitespace removed (speech-to-text splits addresses). Nothing is invented:
/// an address that is still not `local@domain.tld` afterwards is refused rather than
/// "repaired" into someone else's.
///
/// # Errors
///
/// `field: 'raw' is not a valid address`.
pub fn email(field: &str, raw: &str) -> Result<String, ToolError> {
    let folded: String = raw
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(fold_accent)
        .collect::<String>()
        .to_lowercase();
    let folded = folded.trim_end_matches('.').to_owned();
    if is_email(&folded) {
        Ok(folded)
    } else {
        Err(ToolError::invalid_input(format!(
            "{field}: '{}' is not a valid address (expected name@domain.tld)",
            raw.trim()
        )))
    }
}

fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._%+-'".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    local_ok && domain_ok
}

/// Latin letters with diacritics as their base letter; anything else unchanged (and
/// then refused by the shape check if it is not ASCII).
fn fold_accent(c: char) -> char {
    match c {
        'á' | 'à' | 'ä' | 'â' | 'ã' | 'å' | 'Á' | 'À' | 'Ä' | 'Â' | 'Ã' | 'Å' => 'a',
        'é' | 'è' | 'ë' | 'ê' | 'É' | 'È' | 'Ë' | 'Ê' => 'e',
        'í' | 'ì' | 'ï' | 'î' | 'Í' | 'Ì' | 'Ï' | 'Î' => 'i',
        'ó' | 'ò' | 'ö' | 'ô' | 'õ' | 'Ó' | 'Ò' | 'Ö' | 'Ô' | 'Õ' => 'o',
        'ú' | 'ù' | 'ü' | 'û' | 'Ú' | 'Ù' | 'Ü' | 'Û' => 'u',
        'ñ' | 'Ñ' => 'n',
        'ç' | 'Ç' => 'c',
        'ý' | 'ÿ' | 'Ý' => 'y',
        other => other,
    }
}

/// Normalizes a phone number to E.164: drops a `whatsapp:` prefix and the usual
/// separators, turns a leading `00` into `+`, and prefixes `country_code` (e.g. `+52`)
/// when there is no `+`. Masked numbers (`55XXXX1234`, as test databases hold) are
/// refused, as is anything that is not `+` and 8 to 15 digits afterwards.
///
/// # Errors
///
/// `field: 'raw' is not a valid phone number (…)`.
pub fn phone(field: &str, raw: &str, country_code: &str) -> Result<String, ToolError> {
    e164(raw, country_code).ok_or_else(|| {
        ToolError::invalid_input(format!(
            "{field}: '{}' is not a valid phone number (expected E.164, e.g. {country_code}5512345678)",
            raw.trim()
        ))
    })
}

/// [`phone`] without the error: the E.164 form, or `None`.
pub fn e164(raw: &str, country_code: &str) -> Option<String> {
    let raw = raw.trim();
    let raw = raw.strip_prefix("whatsapp:").unwrap_or(raw);
    let compact: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.' | '\u{a0}'))
        .collect();
    let number = if let Some(rest) = compact.strip_prefix("00") {
        format!("+{rest}")
    } else if compact.starts_with('+') {
        compact
    } else {
        format!("{}{compact}", country_code.trim())
    };
    let digits = number.strip_prefix('+')?;
    let valid = (8..=15).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0');
    valid.then_some(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_quantities_must_be_positive() {
        assert_eq!(id("lead_id", 7), Ok(7));
        assert_eq!(
            id("lead_id", 0),
            Err(ToolError::invalid_input(
                "lead_id: must be a positive record id, got 0"
            ))
        );
        assert_eq!(opt_id("user_id", None), Ok(None));
        assert!(opt_id("user_id", Some(-1)).is_err());
        assert_eq!(quantity("qty", 2.5), Ok(2.5));
        assert_eq!(
            quantity("products[1].qty", 0.0),
            Err(ToolError::invalid_input(
                "products[1].qty: must be greater than 0, got 0"
            ))
        );
        assert!(quantity("qty", f64::NAN).is_err());
        assert_eq!(price("price", 0.0), Ok(0.0));
        assert!(price("price", -2.0).is_err());
    }

    #[test]
    fn emails_are_normalized_but_never_invented() {
        assert_eq!(
            email("email", "  María.López@Gmail.COM "),
            Ok("maria.lopez@gmail.com".into())
        );
        assert_eq!(
            email("email", "ana lopez @ hotel.mx"),
            Ok("analopez@hotel.mx".into())
        );
        for bad in [
            "john.doe",
            "a@b@c.com",
            "x",
            "maria@",
            "@gmail.com",
            "a@gmail",
            "a@gmail.c0m",
            "a..b@x.com",
        ] {
            let err = email("email", bad).unwrap_err();
            assert_eq!(
                err.message(),
                format!("email: '{bad}' is not a valid address (expected name@domain.tld)")
            );
        }
    }

    #[test]
    fn phones_become_e164() {
        assert_eq!(
            phone("phone", "55 1234-5678", "+52"),
            Ok("+525512345678".into())
        );
        assert_eq!(
            phone("phone", "whatsapp:+5215512345678", "+52"),
            Ok("+5215512345678".into())
        );
        assert_eq!(
            phone("phone", "0044 20 7946 0958", "+52"),
            Ok("+442079460958".into())
        );
        assert_eq!(e164("+52 55XXXX5678", "+52"), None);
        assert_eq!(e164("123", "+52"), None);
        let err = phone("user_phone", "abc", "+52").unwrap_err();
        assert_eq!(
            err.message(),
            "user_phone: 'abc' is not a valid phone number (expected E.164, e.g. +525512345678)"
        );
    }

    #[test]
    fn required_and_optional_text_are_trimmed() {
        assert_eq!(required("name", " Ana "), Ok("Ana".into()));
        assert!(required("name", "  ").is_err());
        assert_eq!(optional(Some("  ")), None);
        assert_eq!(optional(Some(" x ")), Some("x".into()));
    }
}
