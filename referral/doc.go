// Package referral builds m.me links that carry a ref, draws them as QR codes, reads
// the referral back out of webhook events and counts which link brought which
// conversations.
//
// # Links and refs
//
// [Link] builds https://m.me/<page>?ref=<ref>. The platform passes a ref through
// only if it is at most 2,083 characters of ASCII letters, digits, '-', '_' and '='
// (Messenger Platform, m.me links and the messaging_referrals webhook), so Link
// refuses anything else with an [*Error] that names the character and its index.
// [EncodeRef] and [DecodeRef] pack a small UTM-like [Ref] into that alphabet and back.
//
// # QR codes
//
// [QRPNG] and [QRSVG] draw a link as a QR code for print and screens. The encoder is
// github.com/skip2/go-qrcode: pure Go with no dependencies of its own, the most widely
// imported Go QR encoder, it picks the smallest symbol version that fits and the mask
// with the lowest penalty score as ISO/IEC 18004 prescribes (rsc.io/qr, the other
// candidate, always uses mask 0). Its API has not changed since 2020 because the
// format has not; it publishes no tagged release, so the module is pinned by commit.
// The SVG is written here from the encoder's module grid.
//
// The tests decode every image with github.com/makiuchi-d/gozxing, a Go port of the
// ZXing barcode reader, to prove the picture reads back as the link; it is a test-only
// dependency and is not compiled into programs that import this package.
//
// # Referrals from events
//
// [From] turns a referral event, a Get Started postback that carries a referral (a
// new conversation) or a message that carries one (a first message after an ad) into
// one [Referral]: source, ref, ad id and ad context, chat-plugin referer and guest
// flag. [Attribution] counts new conversations, returning conversations and first
// replies per (ref, source).
package referral
