// Package web holds hoithi's pages, scripts, styles, fonts and UI text,
// embedded so that the binary serves them with no file beside it and no
// request to anywhere else.
package web

import (
	"embed"
	"mime"
)

// Templates are the html/template pages; layout.html frames each of them.
//
//go:embed templates/*.html
var Templates embed.FS

// Static holds the stylesheets, the scripts, the icons and the fonts.
//
//go:embed static
var Static embed.FS

// Messages is the UI text catalog: every key with its Vietnamese and English
// text.
//
//go:embed messages.json
var Messages []byte

// The printable documents' fonts are WOFF2 files, a type Go's own table
// does not list; without it they would be served by whatever the host's
// mime.types says, or with none, and browsers that check refuse a font
// served as the wrong type.
func init() {
	if err := mime.AddExtensionType(".woff2", "font/woff2"); err != nil {
		panic(err)
	}
}
