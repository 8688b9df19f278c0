package referral

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
)

// decodeQR reads a QR code out of img with an independent decoder (ZXing's port),
// the way a phone camera would.
func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatalf("binarize: %v", err)
	}
	res, err := gozxingqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: false})
	if err != nil {
		t.Fatalf("decode QR: %v", err)
	}
	return res.GetText()
}

var qrLinks = []string{
	"https://m.me/acmeshoes",
	"https://m.me/acmeshoes?ref=spring_sale=sinstagram=mstory",
	"https://m.me/102938475610293?ref=" + strings.Repeat("Ab9-_=", 60),
	// The longest link Link builds: a 2,083-character ref.
	"https://m.me/102938475610293?ref=" + strings.Repeat("Ab9-_=", 347) + "A",
}

func TestQRPNGDecodesToLink(t *testing.T) {
	t.Parallel()
	for _, link := range qrLinks {
		t.Run(fmt.Sprint(len(link)), func(t *testing.T) {
			t.Parallel()
			b, err := QRPNG(link, 600)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("not a PNG: %v", err)
			}
			if got := img.Bounds().Size(); got != image.Pt(600, 600) {
				t.Errorf("image size %v, want 600x600", got)
			}
			if got := decodeQR(t, img); got != link {
				t.Errorf("QR decodes to %q, want %q", got, link)
			}
		})
	}
}

func TestQRPNGSizeTooSmall(t *testing.T) {
	t.Parallel()
	_, err := QRPNG("https://m.me/acmeshoes", 20)
	var e *Error
	if !errors.As(err, &e) || e.Field != "size" {
		t.Fatalf("QRPNG(size 20) = %v, want *Error on size", err)
	}
	if !strings.Contains(e.Limit, "at least 33 pixels") { // version 2 (25 modules) + 2×4 border
		t.Errorf("limit %q does not give the minimum size", e.Limit)
	}
}

func TestQRSVGDecodesToLink(t *testing.T) {
	t.Parallel()
	for _, link := range qrLinks {
		t.Run(fmt.Sprint(len(link)), func(t *testing.T) {
			t.Parallel()
			b, err := QRSVG(link, 256)
			if err != nil {
				t.Fatal(err)
			}
			img := rasterizeSVG(t, b, 6)
			if got := decodeQR(t, img); got != link {
				t.Errorf("QR decodes to %q, want %q", got, link)
			}
		})
	}
}

func TestQRRefusesEmptyInput(t *testing.T) {
	t.Parallel()
	if _, err := QRPNG("", 100); err == nil {
		t.Error("QRPNG(\"\"): no error")
	}
	if _, err := QRSVG("x", 0); err == nil {
		t.Error("QRSVG(size 0): no error")
	}
}

// rasterizeSVG parses the SVG that QRSVG writes (a white rect and one path of
// "Mx yhNv1h-Nz" rectangles in viewBox units) as XML and paints it at scale pixels
// per unit, so the decoder reads what the SVG file itself says.
func rasterizeSVG(t *testing.T, svg []byte, scale int) image.Image {
	t.Helper()
	var doc struct {
		XMLName xml.Name `xml:"svg"`
		ViewBox string   `xml:"viewBox,attr"`
		Paths   []struct {
			D    string `xml:"d,attr"`
			Fill string `xml:"fill,attr"`
		} `xml:"path"`
	}
	if err := xml.Unmarshal(svg, &doc); err != nil {
		t.Fatalf("SVG is not XML: %v", err)
	}
	var x0, y0, w, h int
	if _, err := fmt.Sscanf(doc.ViewBox, "%d %d %d %d", &x0, &y0, &w, &h); err != nil || w != h {
		t.Fatalf("viewBox %q: %v", doc.ViewBox, err)
	}
	img := image.NewGray(image.Rect(0, 0, w*scale, h*scale))
	for i := range img.Pix {
		img.Pix[i] = 0xFF
	}
	if len(doc.Paths) != 1 || doc.Paths[0].Fill != "#000" {
		t.Fatalf("want one black path, got %+v", doc.Paths)
	}
	for _, sub := range strings.Split(doc.Paths[0].D, "z") {
		if sub == "" {
			continue
		}
		var x, y, run, run2 int
		if _, err := fmt.Sscanf(sub, "M%d %dh%dv1h-%d", &x, &y, &run, &run2); err != nil || run != run2 {
			t.Fatalf("path segment %q: %v", sub, err)
		}
		for py := y * scale; py < (y+1)*scale; py++ {
			for px := x * scale; px < (x+run)*scale; px++ {
				img.SetGray(px, py, color.Gray{})
			}
		}
	}
	return img
}
