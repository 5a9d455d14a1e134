package quiz

import (
	"bytes"
	"fmt"

	"github.com/xuri/excelize/v2"
)

// ExportXLSX writes the bank as a workbook in the layout the importer and
// the template use: a sheet "Câu hỏi" with a Vietnamese header and one
// question a row, options in columns A, B, C… and the correct letters in
// "Đáp án" ("B, C" for several). Rows are streamed, so that a large bank
// stays in bounded memory.
func ExportXLSX(b Bank, qs []Question) ([]byte, error) {
	options := 4
	for _, q := range qs {
		if !q.Retired {
			options = max(options, len(q.Options))
		}
	}
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Câu hỏi"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, fmt.Errorf("export xlsx: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, fmt.Errorf("export xlsx: %w", err)
	}
	// Widths: topic, question, each option, answer, explanation, reference, difficulty.
	widths := []float64{22, 60}
	for range options {
		widths = append(widths, 28)
	}
	widths = append(widths, 10, 40, 30, 10)
	for i, w := range widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return nil, fmt.Errorf("export xlsx: %w", err)
		}
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, fmt.Errorf("export xlsx: %w", err)
	}
	header := []any{excelize.Cell{StyleID: bold, Value: "Chủ đề"}, excelize.Cell{StyleID: bold, Value: "Câu hỏi"}}
	for i := range options {
		header = append(header, excelize.Cell{StyleID: bold, Value: string(rune('A' + i))})
	}
	for _, h := range []string{"Đáp án", "Giải thích", "Căn cứ", "Độ khó"} {
		header = append(header, excelize.Cell{StyleID: bold, Value: h})
	}
	if err := sw.SetRow("A1", header); err != nil {
		return nil, fmt.Errorf("export xlsx: %w", err)
	}
	row := 2
	for _, q := range qs {
		if q.Retired {
			continue
		}
		cells := []any{q.Topic, q.Text}
		answer := ""
		for i := range options {
			if i >= len(q.Options) {
				cells = append(cells, "")
				continue
			}
			cells = append(cells, q.Options[i].Text)
			if q.Options[i].Correct {
				if answer != "" {
					answer += ", "
				}
				answer += string(rune('A' + i))
			}
		}
		cells = append(cells, answer, q.Explanation, q.Reference, q.Difficulty)
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if err := sw.SetRow(cell, cells); err != nil {
			return nil, fmt.Errorf("export xlsx: %w", err)
		}
		row++
	}
	if err := sw.Flush(); err != nil {
		return nil, fmt.Errorf("export xlsx: %w", err)
	}
	f.SetDocProps(&excelize.DocProperties{Title: b.Name, Creator: "hoithi"})
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("export xlsx: %w", err)
	}
	return buf.Bytes(), nil
}
