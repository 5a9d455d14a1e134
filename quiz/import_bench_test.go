package quiz_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"hoithi/quiz"
	"hoithi/store"
)

// BenchmarkImportXLSX10k measures a whole import of a 10,000-question
// workbook into an empty bank: reading, normalizing, looking for
// duplicates and storing, with the store on a real file:
//
//	go test ./quiz -run '^$' -bench ImportXLSX10k -benchmem
func BenchmarkImportXLSX10k(b *testing.B) {
	qs := make([]quiz.Question, 10000)
	for i := range qs {
		qs[i] = quiz.Question{Topic: fmt.Sprint("Chủ đề ", i%8), Text: fmt.Sprintf("Câu hỏi số %d về thủ tục hành chính?", i),
			Options: []quiz.Option{{Text: "Đúng", Correct: true}, {Text: fmt.Sprint("Sai ", i)}, {Text: "Không rõ"}, {Text: "Khác"}}}
	}
	data, err := quiz.ExportXLSX(quiz.Bank{Name: "b"}, qs)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(data)), "file-bytes")
	ctx := context.Background()
	for i := range b.N {
		b.StopTimer()
		db, err := store.Open(filepath.Join(b.TempDir(), fmt.Sprint(i, ".db")), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		catalog := quiz.NewCatalog(db, time.Now)
		bank, _ := catalog.CreateBank(ctx, "Mười nghìn", "")
		b.StartTimer()
		r, err := catalog.Import(ctx, bank.ID, data, quiz.ImportOptions{FileName: "bank.xlsx"})
		b.StopTimer()
		if err != nil || r.Imported != 10000 {
			b.Fatalf("imported %d: %v", r.Imported, err)
		}
		db.Close()
		b.StartTimer()
	}
}
