// Command hoithi-genbank writes a synthetic question bank of any size in
// hoithi's formats, for measuring imports (docs/PERFORMANCE.md):
//
//	go run ./cmd/hoithi-genbank -n 10000 -format xlsx -o /tmp/bank10k.xlsx
//
// The questions are Vietnamese-looking text with four to six options, one
// or two correct, spread over eight topics; every one is distinct.
package main

import (
	"flag"
	"fmt"
	"os"

	"hoithi/quiz"
)

func main() {
	n := flag.Int("n", 10000, "questions to write")
	format := flag.String("format", "xlsx", "xlsx, json or gift")
	out := flag.String("o", "", "the file to write (required)")
	flag.Parse()
	if *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	topics := []string{"Giao dịch điện tử", "An ninh mạng", "Dịch vụ công trực tuyến", "Dữ liệu cá nhân",
		"Thanh toán trực tuyến", "Một cửa liên thông", "Chữ ký số", "Cổng thông tin"}
	qs := make([]quiz.Question, *n)
	for i := range qs {
		q := quiz.Question{
			Topic:       topics[i%len(topics)],
			Text:        fmt.Sprintf("Câu hỏi số %d: theo quy định hiện hành, thủ tục hành chính trên môi trường điện tử được thực hiện như thế nào?", i+1),
			Explanation: fmt.Sprintf("Giải thích cho câu hỏi số %d.", i+1),
			Reference:   "Văn bản tham khảo",
		}
		options := 4 + i%3
		for o := range options {
			q.Options = append(q.Options, quiz.Option{Text: fmt.Sprintf("Phương án %c của câu %d", 'A'+o, i+1),
				Correct: o == i%options || (i%5 == 0 && o == (i+1)%options)})
		}
		qs[i] = q
	}
	bank := quiz.Bank{Name: fmt.Sprintf("Ngân hàng %d câu", *n)}
	var data []byte
	var err error
	switch *format {
	case "xlsx":
		data, err = quiz.ExportXLSX(bank, qs)
	case "json":
		data, err = quiz.ExportJSON(bank, qs)
	case "gift":
		data = quiz.ExportGIFT(bank, qs)
	default:
		err = fmt.Errorf("unknown format %q", *format)
	}
	if err == nil {
		err = os.WriteFile(*out, data, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "hoithi-genbank:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d questions, %d bytes\n", *out, *n, len(data))
}
