use super::*;

fn masked(text: &str) -> String {
    mask_numbers(text).into_owned()
}

#[test]
fn phone_numbers_in_every_written_form_are_masked() {
    for phone in [
        "081234567890",
        "0812-3456-7890",
        "0812 3456 7890",
        "0812.3456.7890",
        "+62 812 3456 7890",
        "62812-3456-7890",
        "0812 - 3456 - 7890",
        "0812/3456/7890",
        "0812,3456,7890",
        "(0752) 21234",
        // Arabic-Indic, extended Arabic-Indic (Persian), full-width.
        "٠٨١٢٣٤٥٦٧٨٩",
        "۰۸۱۲-۳۴۵۶-۷۸۹",
        "０８１２３４５６７８９",
        "０８１２－３４５６",
    ] {
        assert_eq!(
            masked(&format!("hubungi {phone} ya")),
            format!("hubungi {MASK} ya"),
            "{phone}"
        );
    }
}

#[test]
fn other_long_numbers_are_masked_too() {
    // An NIK (16 digits) and an account number are as personal as a phone.
    assert_eq!(masked("NIK 1306012345678901."), format!("NIK {MASK}."));
    assert_eq!(masked("rek 123-456-7890"), format!("rek {MASK}"));
    // A date inside a number does not shelter what stands beside it.
    assert_eq!(masked("12/03/2026 081234567890"), format!("12/03/2026 {MASK}"));
}

#[test]
fn short_numbers_dates_and_amounts_stay() {
    for text in [
        "RT 03 RW 12, no 45",
        "rumah no 12 sejak tahun 2026",
        "tanggal 12/03/2026 pukul 10.30",
        "tgl 2026-11-23",
        "sejak 1.3.2026",
        "pungli Rp 15.000.000 dan Rp 1,500,000",
    ] {
        assert_eq!(masked(text), text);
    }
}

#[test]
fn not_dates_not_amounts() {
    // Out of range for a day and month, or a leading zero: not a date or amount.
    assert_eq!(masked("62-81-2345 6789"), MASK);
    assert_eq!(masked("081.234.567.890"), MASK);
}

#[test]
fn text_without_numbers_is_not_copied() {
    assert!(matches!(mask_numbers("Jalan berlubang"), Cow::Borrowed(_)));
    assert_eq!(masked(""), "");
    assert_eq!(masked("1+1 = 2, harga +5%"), "1+1 = 2, harga +5%");
}

#[test]
fn a_flood_of_digits_is_one_number() {
    // 64 KiB of "1 ": one run, masked whole, no overflow in the group values.
    assert_eq!(masked(&"1 ".repeat(32 * 1024)), format!("{MASK} "));
}
