//! Just enough XML for Open311's flat documents: nested elements of text,
//! escaped; characters XML 1.0 cannot carry are dropped.

pub(super) struct Xml {
    out: String,
}

impl Xml {
    pub fn new() -> Self {
        Self {
            out: String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>"),
        }
    }

    pub fn open(&mut self, name: &str) {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
    }

    pub fn close(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// `<name>text</name>`, empty for `None`.
    pub fn element(&mut self, name: &str, text: Option<&str>) {
        self.open(name);
        for c in text.unwrap_or_default().chars() {
            match c {
                '<' => self.out.push_str("&lt;"),
                '>' => self.out.push_str("&gt;"),
                '&' => self.out.push_str("&amp;"),
                '"' => self.out.push_str("&quot;"),
                '\'' => self.out.push_str("&apos;"),
                '\t' | '\n' | '\r' => self.out.push(c),
                c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
                c => self.out.push(c),
            }
        }
        self.close(name);
    }

    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_unfit_characters_dropped() {
        let mut xml = Xml::new();
        xml.open("a");
        xml.element("b", Some("<x> & \"y\" 'z'\u{0}\u{7}\n"));
        xml.element("c", None);
        xml.close("a");
        assert_eq!(
            xml.finish(),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><a><b>&lt;x&gt; &amp; &quot;y&quot; &apos;z&apos;\n</b><c></c></a>"
        );
    }
}
