//! SQL `LIKE` / `ILIKE` pattern matching: `%` any run, `_` one character, `\` escapes.
//!
//! Odoo passes `like` values to PostgreSQL unescaped (wrapped in `%…%`), so `_` and `%`
//! inside a search term act as wildcards there too; the sandbox keeps that quirk.

/// Whether `text` matches the SQL pattern.
pub(crate) fn like(pattern: &str, text: &str, case_insensitive: bool) -> bool {
    let fold = |s: &str| -> Vec<char> {
        if case_insensitive {
            s.chars().flat_map(char::to_lowercase).collect()
        } else {
            s.chars().collect()
        }
    };
    let tokens = tokenize(&fold(pattern));
    matches(&tokens, &fold(text))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Token {
    AnyRun,
    AnyOne,
    Lit(char),
}

fn tokenize(pattern: &[char]) -> Vec<Token> {
    let mut out = Vec::with_capacity(pattern.len());
    let mut chars = pattern.iter();
    while let Some(&c) = chars.next() {
        out.push(match c {
            '%' => Token::AnyRun,
            '_' => Token::AnyOne,
            '\\' => Token::Lit(chars.next().copied().unwrap_or('\\')),
            c => Token::Lit(c),
        });
    }
    out
}

/// Iterative wildcard matching with single backtracking point (linear-ish, no recursion).
fn matches(tokens: &[Token], text: &[char]) -> bool {
    let (mut t, mut s) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while s < text.len() {
        match tokens.get(t) {
            Some(Token::AnyRun) => {
                star = Some((t, s));
                t += 1;
            }
            Some(Token::AnyOne) => {
                t += 1;
                s += 1;
            }
            Some(Token::Lit(c)) if *c == text[s] => {
                t += 1;
                s += 1;
            }
            _ => match star {
                Some((st, ss)) => {
                    t = st + 1;
                    s = ss + 1;
                    star = Some((st, ss + 1));
                }
                None => return false,
            },
        }
    }
    tokens[t..].iter().all(|tok| *tok == Token::AnyRun)
}

#[cfg(test)]
mod tests {
    use super::like;

    #[test]
    fn wildcards() {
        assert!(like("%bot%", "KettyBot", true));
        assert!(!like("%bot%", "KettyBot", false));
        assert!(like("Ketty%", "KettyBot", false));
        assert!(like("K_tty%", "KettyBot", false));
        assert!(!like("Ketty", "KettyBot", false));
        assert!(like("%", "", false));
        assert!(like("100\\%", "100%", false));
        assert!(!like("100\\%", "1000", false));
        assert!(like("%é%", "CAFÉ", true));
        assert!(like("a%b%c", "axxbyyc", false));
        assert!(!like("a%b%c", "axxbyy", false));
    }
}
