package referral

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strconv"

	qrcode "github.com/skip2/go-qrcode"
)

// quietZone is the white border, in modules, that QR readers need around the code
// (ISO/IEC 18004 asks for four).
const quietZone = 4

// modules encodes text at medium error correction (15% of the code may be damaged
// or covered, enough for print and screens without making the code dense) and
// returns its dark modules, without a border.
func modules(text string) ([][]bool, error) {
	if text == "" {
		return nil, invalid("link", "non-empty text", text, "nothing to encode")
	}
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("referral: encode QR code: %w", err)
	}
	q.DisableBorder = true
	return q.Bitmap(), nil
}

// QRPNG returns a PNG image, size×size pixels, of a QR code that encodes link
// (usually the result of [Link]). Modules are whole pixels, so the code stays sharp
// when printed; the code is centred with at least the four-module white border
// readers need. size must leave at least one pixel per module: the error says the
// minimum for this link.
func QRPNG(link string, size int) ([]byte, error) {
	m, err := modules(link)
	if err != nil {
		return nil, err
	}
	n := len(m) + 2*quietZone
	if size < n {
		return nil, invalid("size", "at least "+strconv.Itoa(n)+" pixels for this link", strconv.Itoa(size),
			"size leaves less than one pixel per module")
	}
	scale := size / n
	offset := (size - scale*len(m)) / 2
	img := image.NewPaletted(image.Rect(0, 0, size, size), color.Palette{color.White, color.Black})
	for y, row := range m {
		for x, dark := range row {
			if !dark {
				continue
			}
			for dy := range scale {
				for dx := range scale {
					img.SetColorIndex(offset+x*scale+dx, offset+y*scale+dy, 1)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("referral: write PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// QRSVG returns an SVG image of a QR code that encodes link, drawn size×size user
// units (pixels on screen) and scalable without loss. Each row's runs of dark modules
// are one rectangle of a single path, so the file stays small; the four-module white
// border is part of the image.
func QRSVG(link string, size int) ([]byte, error) {
	m, err := modules(link)
	if err != nil {
		return nil, err
	}
	if size <= 0 {
		return nil, invalid("size", "a positive number of pixels", strconv.Itoa(size), "size is not positive")
	}
	n := len(m) + 2*quietZone
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, size, size, n, n)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y, row := range m {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			run := 1
			for x+run < len(row) && row[x+run] {
				run++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x+quietZone, y+quietZone, run, run)
			x += run
		}
	}
	b.WriteString(`"/></svg>` + "\n")
	return b.Bytes(), nil
}
