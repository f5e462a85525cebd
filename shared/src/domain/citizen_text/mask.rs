//! Long numbers in a citizen's free text, hidden from officials: a phone
//! number, an NIK or an account number written into a complaint is the
//! citizen's (or a neighbour's), and officials act on a case without it.

use std::borrow::Cow;
use std::ops::Range;

/// What an official reads in place of a number.
pub const MASK: &str = "[nomor disembunyikan]";

/// A number with this many digits or more is masked.
const MIN_DIGITS: usize = 8;
/// Separators in a row that still join two digit groups (`0812 - 3456`).
const MAX_JOINT: usize = 3;

/// `text` with every long number replaced by [`MASK`]; borrowed when there
/// is none. The rule, erring on the side of masking:
///
/// - A digit is any character Unicode calls numeric (`char::is_numeric`):
///   ASCII, Arabic-Indic `٠٨١٢`, full-width `０８１２`, and the rest.
/// - A number is groups of digits joined by one to three separators
///   (white space, `-` and the dashes, `.`, `/`, `,`, brackets; their
///   full-width forms too), perhaps led by `+` or `(`.
/// - A number of 8 digits or more is masked: a mobile number (10 to 13
///   digits: `08…`, `62…`, `+62…`), a landline with its area code
///   (`(0752) 21234`), an NIK (16), an account number.
/// - Kept inside a number, the rest judged on its own: a date (`12/03/2026`,
///   `1.3.2026`, `2026-11-23`: the same separator twice, day and month in
///   range) and an amount in thousands (`15.000.000`, `1,500,000`: a first
///   group of 1 to 3 digits not starting with 0, then groups of 3).
/// - Shorter numbers stay: RT 03, house 12, the year 2026, a time 10.30.
///   A range of years (`2024-2025`, 8 digits) is masked.
pub fn mask_numbers(text: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut copied = 0;
    let mut from = 0;
    while let Some(number) = next_number(text, from) {
        for span in number.masked_spans() {
            out.push_str(&text[copied..span.start]);
            out.push_str(MASK);
            copied = span.end;
        }
        from = number.end();
    }
    if out.is_empty() {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// Full-width forms (`０`, `－`, `／`) as their ASCII selves.
fn narrow(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

fn is_digit(c: char) -> bool {
    c.is_numeric()
}

fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            narrow(c),
            '-' | '.' | '/' | ',' | '(' | ')' | '\u{2010}'..='\u{2015}'
        )
}

/// The digit's value, for the scripts whose dates and amounts are
/// recognised (ASCII and full-width, Arabic-Indic, Persian, Devanagari);
/// other digits count as digits but never make a date.
fn digit_value(c: char) -> Option<u32> {
    const ZEROS: [u32; 4] = ['0' as u32, 0x0660, 0x06F0, 0x0966];
    let c = narrow(c) as u32;
    ZEROS
        .iter()
        .find(|zero| (**zero..**zero + 10).contains(&c))
        .map(|zero| c - zero)
}

#[derive(Debug)]
struct Group {
    span: Range<usize>,
    digits: usize,
    /// Up to 4 digits, all with a known value.
    value: Option<u32>,
    leading_zero: bool,
}

/// Digit groups and what joins them; `start` takes in a leading `+` or `(`.
#[derive(Debug)]
struct Number<'a> {
    start: usize,
    groups: Vec<Group>,
    joints: Vec<&'a str>,
}

/// The next number at or after byte `from`.
fn next_number(text: &str, from: usize) -> Option<Number<'_>> {
    let rest = &text[from..];
    let mut chars = rest.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let leads = matches!(c, '+' | '(') && chars.peek().is_some_and(|(_, next)| is_digit(*next));
        if is_digit(c) || leads {
            return Some(read_number(text, from + i, leads));
        }
    }
    None
}

fn read_number(text: &str, start: usize, led: bool) -> Number<'_> {
    let mut pos = if led { start + 1 } else { start };
    let mut groups = Vec::new();
    let mut joints = Vec::new();
    loop {
        let group = read_group(text, pos);
        pos = group.span.end;
        groups.push(group);
        let joint_len: usize = text[pos..]
            .chars()
            .take(MAX_JOINT)
            .take_while(|c| is_separator(*c))
            .map(char::len_utf8)
            .sum();
        let after = pos + joint_len;
        if joint_len == 0 || !text[after..].starts_with(is_digit) {
            break;
        }
        joints.push(&text[pos..after]);
        pos = after;
    }
    // A `(` belongs to the number only when it closes after the first group.
    let start = if text[start..].starts_with('(') && !text[groups[0].span.end..].starts_with(')') {
        start + 1
    } else {
        start
    };
    Number {
        start,
        groups,
        joints,
    }
}

fn read_group(text: &str, start: usize) -> Group {
    let mut end = start;
    let mut digits = 0;
    let mut value = Some(0u32);
    let mut leading_zero = false;
    for c in text[start..].chars().take_while(|c| is_digit(*c)) {
        let v = digit_value(c);
        if digits == 0 {
            leading_zero = v == Some(0);
        }
        value = value
            .zip(v)
            .map(|(acc, v)| acc.saturating_mul(10).saturating_add(v));
        digits += 1;
        end += c.len_utf8();
    }
    Group {
        span: start..end,
        digits,
        value: value.filter(|_| digits <= 4),
        leading_zero,
    }
}

impl Number<'_> {
    fn end(&self) -> usize {
        self.groups.last().map_or(self.start, |g| g.span.end)
    }

    /// The byte ranges to mask: the number split at its dates, each part
    /// masked when long and not an amount.
    fn masked_spans(&self) -> Vec<Range<usize>> {
        let mut spans = Vec::new();
        let mut part_start = 0;
        let mut i = 0;
        while i < self.groups.len() {
            if i + 3 <= self.groups.len() && is_date(&self.groups[i..i + 3], &self.joints[i..i + 2]) {
                spans.extend(self.judge(part_start..i));
                i += 3;
                part_start = i;
            } else {
                i += 1;
            }
        }
        spans.extend(self.judge(part_start..self.groups.len()));
        spans
    }

    /// The span of groups `range`, if it is to be masked.
    fn judge(&self, range: Range<usize>) -> Option<Range<usize>> {
        let groups = self.groups.get(range.clone()).filter(|g| !g.is_empty())?;
        let joints = &self.joints[range.start..range.end - 1];
        let digits: usize = groups.iter().map(|g| g.digits).sum();
        if digits < MIN_DIGITS || is_amount(groups, joints) {
            return None;
        }
        let start = if range.start == 0 {
            self.start
        } else {
            groups[0].span.start
        };
        Some(start..groups[groups.len() - 1].span.end)
    }
}

/// `d/m/yyyy` or `yyyy-m-d`, one separator (`/`, `-` or `.`) twice.
fn is_date(groups: &[Group], joints: &[&str]) -> bool {
    let same_joint = joints[0] == joints[1] && matches!(joints[0], "/" | "-" | ".");
    let shape: Vec<(usize, Option<u32>)> = groups.iter().map(|g| (g.digits, g.value)).collect();
    let day_month = |d: Option<u32>, m: Option<u32>| {
        d.is_some_and(|d| (1..=31).contains(&d)) && m.is_some_and(|m| (1..=12).contains(&m))
    };
    same_joint
        && match shape.as_slice() {
            [(1..=2, d), (1..=2, m), (4, Some(_))] => day_month(*d, *m),
            [(4, Some(_)), (1..=2, m), (1..=2, d)] => day_month(*d, *m),
            _ => false,
        }
}

/// `15.000.000`, `1,500,000`: thousands, one separator throughout.
fn is_amount(groups: &[Group], joints: &[&str]) -> bool {
    let first = &groups[0];
    !joints.is_empty()
        && joints.iter().all(|j| *j == joints[0] && matches!(*j, "." | ","))
        && (1..=3).contains(&first.digits)
        && !first.leading_zero
        && groups[1..].iter().all(|g| g.digits == 3)
}

#[cfg(test)]
#[path = "mask_tests.rs"]
mod tests;
