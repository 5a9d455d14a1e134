// Package web holds hoithi's pages, scripts, styles and UI text, embedded so
// that the binary serves them with no file beside it and no request to
// anywhere else.
package web

import "embed"

// Templates are the html/template pages; layout.html frames each of them.
//
//go:embed templates/*.html
var Templates embed.FS

// Static holds the stylesheet, the scripts and the icons.
//
//go:embed static
var Static embed.FS

// Messages is the UI text catalog: every key with its Vietnamese and English
// text.
//
//go:embed messages.json
var Messages []byte
