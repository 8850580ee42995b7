//! Pronunciations for the grammar's words: the CMU dictionary that ships with the
//! English model, and for words it lacks (product names such as "ketty" or "pudu")
//! espeak-ng's phonemes mapped onto the same ARPAbet phone set.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// One line per pronunciation, as PocketSphinx reads it: `word PH ON ES`, variants
/// as `word(2) …`.
pub(super) type Lexicon = BTreeMap<String, Vec<String>>;

/// The pronunciations of `words` found in `cmudict` (the dictionary's text).
pub(super) fn from_cmudict(cmudict: &str, words: &BTreeSet<String>) -> Lexicon {
    let mut found = Lexicon::new();
    for line in cmudict.lines() {
        let Some((head, phones)) = line.split_once(' ') else {
            continue;
        };
        let word = head.split_once('(').map_or(head, |(w, _)| w);
        if words.contains(word) {
            found
                .entry(word.to_owned())
                .or_default()
                .push(phones.trim().to_owned());
        }
    }
    found
}

/// ARPAbet for `word` from espeak-ng's American English phonemes, or `None` when
/// espeak-ng is missing or gives something unmappable.
pub(super) fn from_espeak(word: &str) -> Option<String> {
    let out = Command::new("espeak-ng")
        .args(["-v", "en-us", "-q", "-x", "--sep= ", word])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    arpabet(&String::from_utf8_lossy(&out.stdout))
}

/// Maps espeak-ng's phoneme mnemonics (`k 'E t# i`) onto ARPAbet (`K EH T IY`).
pub(super) fn arpabet(espeak: &str) -> Option<String> {
    let mut phones = Vec::new();
    for raw in espeak.split_whitespace() {
        let p = raw.trim_matches(|c| matches!(c, '\'' | ',' | '=' | ';' | '_' | '!'));
        if p.is_empty() {
            continue;
        }
        let mapped: &[&str] = match p {
            "a" | "aa" => &["AE"],
            "a#" | "@" | "V" | "@2" | "@5" => &["AH"],
            "A:" | "A" | "0" | "A#" => &["AA"],
            "A@" | "A:r" => &["AA", "R"],
            "aI" => &["AY"],
            "aI@" | "aI3" => &["AY", "ER"],
            "aU" => &["AW"],
            "@L" => &["AH", "L"],
            "3" | "3:" | "@r" | "VR" => &["ER"],
            "e" | "E" | "E2" => &["EH"],
            "e@" => &["EH", "R"],
            "eI" => &["EY"],
            "i" | "i:" => &["IY"],
            "i@" | "i@3" => &["IH", "R"],
            "I" | "I2" | "I#" | "y" => &["IH"],
            "O" | "O:" => &["AO"],
            "O@" | "o@" | "O:r" => &["AO", "R"],
            "OI" => &["OY"],
            "o" | "oU" | "oU#" => &["OW"],
            "u" | "u:" => &["UW"],
            "U" => &["UH"],
            "U@" => &["UH", "R"],
            "p" => &["P"],
            "b" => &["B"],
            "t" | "t#" | "t2" => &["T"],
            "d" | "d#" => &["D"],
            "k" => &["K"],
            "g" => &["G"],
            "f" => &["F"],
            "v" => &["V"],
            "T" => &["TH"],
            "D" => &["DH"],
            "s" => &["S"],
            "z" => &["Z"],
            "S" => &["SH"],
            "Z" => &["ZH"],
            "h" | "x" | "C" => &["HH"],
            "m" => &["M"],
            "n" | "n-" => &["N"],
            "N" => &["NG"],
            "l" | "l-" => &["L"],
            "r" | "r-" | "*" => &["R"],
            "w" => &["W"],
            "j" => &["Y"],
            "tS" => &["CH"],
            "dZ" => &["JH"],
            "?" => &[],
            _ => return None,
        };
        phones.extend_from_slice(mapped);
    }
    (!phones.is_empty()).then(|| phones.join(" "))
}

/// The dictionary file's text for `lexicon`.
pub(super) fn render(lexicon: &Lexicon) -> String {
    let mut out = String::new();
    for (word, prons) in lexicon {
        for (i, p) in prons.iter().enumerate() {
            if i == 0 {
                out.push_str(&format!("{word} {p}\n"));
            } else {
                out.push_str(&format!("{word}({}) {p}\n", i + 1));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cmudict_lines_give_every_variant_of_the_words_asked_for() {
        let dict = "zero Z IH R OW\nzero(2) Z IY R OW\nzebra Z IY B R AH\nbot B AO T\n";
        let words: BTreeSet<String> = ["zero", "bot", "ketty"].map(String::from).into();
        let lexicon = from_cmudict(dict, &words);
        assert_eq!(lexicon["zero"], ["Z IH R OW", "Z IY R OW"]);
        assert_eq!(lexicon["bot"], ["B AO T"]);
        assert!(!lexicon.contains_key("ketty") && !lexicon.contains_key("zebra"));
        assert_eq!(
            render(&lexicon),
            "bot B AO T\nzero Z IH R OW\nzero(2) Z IY R OW\n"
        );
    }

    #[test]
    fn espeak_phonemes_map_onto_arpabet() {
        assert_eq!(arpabet("k 'E t# i").as_deref(), Some("K EH T IY"));
        assert_eq!(arpabet("p 'u: d u:").as_deref(), Some("P UW D UW"));
        assert_eq!(
            arpabet("k w oU t 'eI S @ n").as_deref(),
            Some("K W OW T EY SH AH N")
        );
        assert_eq!(
            arpabet("h '0 l a# b ,0 t").as_deref(),
            Some("HH AA L AH B AA T")
        );
        assert_eq!(arpabet("k 'E Q"), None, "an unknown phoneme is not guessed");
        assert_eq!(arpabet(""), None);
    }
}
