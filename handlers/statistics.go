package handlers

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"hoithi/quiz"
)

// A round's statistics for officials: the figures as JSON, each table as
// CSV, and a page with a chart drawn here as SVG beside each table. The
// page and the CSV files take their rows from one place, statisticsTable,
// so that what officials read and what they download agree.

// statisticsTables names the tables, in the order the page shows them.
var statisticsTables = []string{"days", "provinces", "units", "ages", "scores", "questions"}

type statisticsBody struct {
	RoundID      int64               `json:"round_id"`
	RoundName    string              `json:"round_name"`
	ContestID    int64               `json:"contest_id"`
	ContestTitle string              `json:"contest_title"`
	OpensAt      string              `json:"opens_at"`
	ClosesAt     string              `json:"closes_at"`
	LockedAt     *string             `json:"locked_at"`
	MaxScore     int                 `json:"max_score"`
	AgeOn        string              `json:"age_on"`
	Contestants  int                 `json:"contestants"`
	Attempts     int                 `json:"attempts"`
	Days         []statDayBody       `json:"days"`
	Provinces    []statProvinceBody  `json:"provinces"`
	Units        []statUnitBody      `json:"units"`
	Ages         []statAgeBody       `json:"ages"`
	Scores       []statScoreBody     `json:"scores"`
	Questions    []questionStatsBody `json:"questions"`
	GeneratedAt  string              `json:"generated_at"`
}

type statDayBody struct {
	Date        string `json:"date"`
	Contestants int    `json:"contestants"`
	Attempts    int    `json:"attempts"`
}

type statProvinceBody struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Contestants int    `json:"contestants"`
	Attempts    int    `json:"attempts"`
}

type statUnitBody struct {
	Unit        string `json:"unit"`
	Contestants int    `json:"contestants"`
	Attempts    int    `json:"attempts"`
}

type statAgeBody struct {
	Group       string `json:"group"`
	MinAge      *int   `json:"min_age"`
	MaxAge      *int   `json:"max_age"`
	Contestants int    `json:"contestants"`
	Attempts    int    `json:"attempts"`
}

type statScoreBody struct {
	Score       int `json:"score"`
	Contestants int `json:"contestants"`
}

// roundReport reads a round's statistics; an unknown round is not_found.
// Results reads the figures once for each state of the round's data and,
// once the round has closed, keeps the report made from them.
func (h *Handler) roundReport(ctx context.Context, roundID int64) (quiz.Report, error) {
	r, err := h.Catalog.Round(ctx, roundID)
	if err != nil {
		return quiz.Report{}, err
	}
	return h.Results.RoundReport(ctx, r, h.Accounts.Provinces(), vietnam)
}

func (h *Handler) showStatistics(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	rep, err := h.roundReport(c.UserContext(), id)
	if err != nil {
		return err
	}
	r := rep.Round
	body := statisticsBody{RoundID: r.ID, RoundName: r.Name, ContestID: r.ContestID, ContestTitle: r.ContestTitle,
		OpensAt: apiTime(r.OpensAt), ClosesAt: apiTime(r.ClosesAt), LockedAt: apiTimePtr(r.LockedAt),
		MaxScore: rep.MaxScore, AgeOn: rep.AgeOn, Contestants: rep.Total.Contestants, Attempts: rep.Total.Attempts,
		Days: []statDayBody{}, Provinces: []statProvinceBody{}, Units: []statUnitBody{}, Ages: []statAgeBody{},
		Scores: []statScoreBody{}, Questions: []questionStatsBody{}, GeneratedAt: apiTime(rep.At)}
	for _, d := range rep.Days {
		body.Days = append(body.Days, statDayBody{d.Date, d.Contestants, d.Attempts})
	}
	for _, p := range rep.Provinces {
		body.Provinces = append(body.Provinces, statProvinceBody{p.Code, p.Name, p.Contestants, p.Attempts})
	}
	for _, u := range rep.Units {
		body.Units = append(body.Units, statUnitBody{u.Unit, u.Contestants, u.Attempts})
	}
	for _, a := range rep.Ages {
		row := statAgeBody{Group: a.Key, Contestants: a.Contestants, Attempts: a.Attempts}
		if a.MinAge >= 0 {
			row.MinAge = &a.MinAge
		}
		if a.MaxAge >= 0 {
			row.MaxAge = &a.MaxAge
		}
		body.Ages = append(body.Ages, row)
	}
	for _, s := range rep.Scores {
		body.Scores = append(body.Scores, statScoreBody{s.Score, s.Contestants})
	}
	for _, q := range rep.Questions {
		body.Questions = append(body.Questions, questionStatsBody{q.ID, q.Text, q.Answered, q.Correct, q.Share()})
	}
	return c.JSON(body)
}

// statisticsCSV sends one table as CSV for Excel: UTF-8 with a BOM, commas
// or, with ?sep=semicolon, semicolons and decimal commas as Excel under
// Vietnamese regional settings reads them. Every download is audited.
func (h *Handler) statisticsCSV(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	table := c.Params("table")
	known := false
	for _, name := range statisticsTables {
		known = known || name == table
	}
	if !known {
		return quiz.NotFound("table")
	}
	sep, err := csvSeparator(c)
	if err != nil {
		return err
	}
	keys, err := csvKeys(c, "labels")
	if err != nil {
		return err
	}
	rep, err := h.roundReport(c.UserContext(), id)
	if err != nil {
		return err
	}
	data, err := statisticsCSVData(statisticsTable(rep, table, h.lang(c)), sep, keys)
	if err != nil {
		return err
	}
	if err := h.audit(c, quiz.AuditStatistics, id, "csv:"+table); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, attachment(fmt.Sprintf("thong-ke-dot-%d-%s", id, table), "csv"))
	return c.Send(data)
}

// statisticsCSVData writes a table as CSV, its columns named in words or,
// with keys, by the keys programs read (the API's names). Text cells go
// through quiz.SheetText, so that a unit named "=HYPERLINK(…)" stays text.
func statisticsCSVData(t statTable, sep rune, keys bool) ([]byte, error) {
	var buf bytes.Buffer
	w, err := quiz.NewSheetCSV(&buf, sep)
	if err != nil {
		return nil, err
	}
	record := make([]string, len(t.Columns))
	for i, col := range t.Columns {
		record[i] = quiz.SheetText(col.Label)
		if keys {
			record[i] = col.Key
		}
	}
	if err := w.Write(record); err != nil {
		return nil, err
	}
	for _, row := range t.Rows {
		for i, cell := range row {
			switch {
			case keys && cell.Keyed:
				record[i] = quiz.SheetText(cell.Key)
			case !cell.Num:
				record[i] = quiz.SheetText(cell.Raw)
			case sep == ';':
				record[i] = strings.Replace(cell.Raw, ".", ",", 1)
			default:
				record[i] = cell.Raw
			}
		}
		if err := w.Write(record); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// statTable is one table of the statistics: its columns and rows, each
// cell both as the CSV writes it and as the page shows it.
type statTable struct {
	Name    string
	Columns []statColumn
	Rows    [][]statCell
}

type statColumn struct {
	Key     string // the column's name for programs: ?header=keys
	Label   string
	Num     bool
	CSVOnly bool // codes and ids: in the file, not on the page
}

type statCell struct {
	Raw  string // for CSV: plain numbers, ISO dates
	Text string // for the page: Vietnamese-style numbers, dd/mm/yyyy
	Num  bool
	// Key, when Keyed, replaces Raw in a CSV with ?header=keys: the value
	// as the API gives it (an age group's key, "" for no unit).
	Key   string
	Keyed bool
}

func textCell(s string) statCell { return statCell{Raw: s, Text: s} }

func intCell(l lang, n int) statCell {
	return statCell{Raw: strconv.Itoa(n), Text: formatInt(l, n), Num: true}
}

// statisticsTable builds one table of a report in l's language.
func statisticsTable(rep quiz.Report, name string, l lang) statTable {
	// The keys are the API's names for the same figures.
	apiKeys := map[string]string{"province": "name", "age_group": "group", "question_id": "id", "question": "text"}
	col := func(key string, num, csvOnly bool) statColumn {
		c := statColumn{Key: key, Label: l.T("statistics.col." + key), Num: num, CSVOnly: csvOnly}
		if k, ok := apiKeys[key]; ok {
			c.Key = k
		}
		return c
	}
	keyed := func(c statCell, key string) statCell {
		c.Key, c.Keyed = key, true
		return c
	}
	tally := []statColumn{col("contestants", true, false), col("attempts", true, false)}
	t := statTable{Name: name}
	switch name {
	case "days":
		t.Columns = append([]statColumn{col("date", false, false)}, tally...)
		for _, d := range rep.Days {
			date := textCell(d.Date)
			date.Text = pageDate(d.Date)
			t.Rows = append(t.Rows, []statCell{date, intCell(l, d.Contestants), intCell(l, d.Attempts)})
		}
	case "provinces":
		t.Columns = append([]statColumn{col("code", false, true), col("province", false, false)}, tally...)
		for _, p := range rep.Provinces {
			t.Rows = append(t.Rows, []statCell{textCell(p.Code), keyed(textCell(provinceLabel(l, p)), p.Name),
				intCell(l, p.Contestants), intCell(l, p.Attempts)})
		}
	case "units":
		t.Columns = append([]statColumn{col("unit", false, false)}, tally...)
		for _, u := range rep.Units {
			t.Rows = append(t.Rows, []statCell{keyed(textCell(unitLabel(l, u.Unit)), u.Unit), intCell(l, u.Contestants), intCell(l, u.Attempts)})
		}
	case "ages":
		t.Columns = append([]statColumn{col("age_group", false, false), col("min_age", true, true), col("max_age", true, true)}, tally...)
		for _, a := range rep.Ages {
			bound := func(n int) statCell {
				if n < 0 {
					return statCell{Num: true}
				}
				return intCell(l, n)
			}
			t.Rows = append(t.Rows, []statCell{keyed(textCell(l.T("statistics.age."+a.Key)), a.Key), bound(a.MinAge), bound(a.MaxAge),
				intCell(l, a.Contestants), intCell(l, a.Attempts)})
		}
	case "scores":
		t.Columns = []statColumn{col("score", true, false), col("contestants", true, false)}
		for _, s := range rep.Scores {
			t.Rows = append(t.Rows, []statCell{intCell(l, s.Score), intCell(l, s.Contestants)})
		}
	case "questions":
		t.Columns = []statColumn{col("question_id", true, true), col("question", false, false), col("answered", true, false),
			col("correct", true, false), col("share", true, false)}
		for _, q := range rep.Questions {
			share := statCell{Raw: strconv.FormatFloat(math.Round(q.Share()*10000)/10000, 'f', -1, 64),
				Text: formatPercent(l, q.Share()), Num: true}
			t.Rows = append(t.Rows, []statCell{{Raw: strconv.FormatInt(q.ID, 10), Num: true}, textCell(q.Text),
				intCell(l, q.Answered), intCell(l, q.Correct), share})
		}
	}
	return t
}

// forPage leaves out the columns meant for the file only.
func (t statTable) forPage() statTable {
	out := statTable{Name: t.Name}
	for i, c := range t.Columns {
		if c.CSVOnly {
			continue
		}
		out.Columns = append(out.Columns, c)
		for r := range t.Rows {
			if len(out.Rows) <= r {
				out.Rows = append(out.Rows, nil)
			}
			out.Rows[r] = append(out.Rows[r], t.Rows[r][i])
		}
	}
	return out
}

func provinceLabel(l lang, p quiz.ProvinceRow) string {
	if p.Name == "" {
		return l.T("statistics.unknown")
	}
	return p.Name
}

func unitLabel(l lang, unit string) string {
	if unit == "" {
		return l.T("statistics.no_unit")
	}
	return unit
}

// pageDate writes YYYY-MM-DD as dd/mm/yyyy.
func pageDate(iso string) string {
	if len(iso) != 10 {
		return iso
	}
	return iso[8:10] + "/" + iso[5:7] + "/" + iso[0:4]
}

// formatInt groups thousands as the language does: 1.234 in Vietnamese,
// 1,234 in English.
func formatInt(l lang, n int) string { return l.Int(n) }

// formatPercent writes a share (0 to 1) with one decimal: 45,6 % in
// Vietnamese, 45.6% in English.
func formatPercent(l lang, share float64) string {
	return l.T("statistics.percent", l.Decimal(share*100, 1))
}

// The charts are drawn here as SVG and written into the page by
// html/template, which escapes every text. Widths are percentages of the
// page's width and heights are pixels, so the text keeps its size from a
// phone to a desktop and nothing needs a script.

// svgChart is one chart, either columns (days, scores) or horizontal bars.
type svgChart struct {
	ID      string
	Title   string
	Desc    string
	Height  int
	Empty   string // shown instead of bars when there is nothing to draw
	EmptyY  int
	MaxText string // the value of the top line of a column chart
	Lines   []int  // y of the top and bottom lines of a column chart
	Columns []svgColumn
	Ticks   []svgTick
	TickY   int
	Bars    []svgBar
	Legend  []svgLegend
	Note    string
	// XTitle and YTitle name a column chart's axes, with their units;
	// YTitle also heads the values of a bar chart.
	XTitle, YTitle string
	XTitleY        int
}

type svgColumn struct {
	X, W  string // percentages
	Y, H  int
	Class string
	Tip   string
}

type svgTick struct {
	X     string
	Label string
}

type svgBar struct {
	Label, Value, Tip string
	TextY, BarY, H    int
	W                 string
}

type svgLegend struct {
	Class, Label string
}

// Geometry of the charts, in pixels.
const (
	columnTop    = 22  // room for the highest value's label
	columnPlot   = 140 // height of the tallest column
	columnTicks  = 18  // room for the labels under the columns
	columnLabels = 7   // about this many labels under the columns
	barRow       = 40  // a horizontal bar and its label
	barHeight    = 12
	barsShown    = 30 // horizontal charts show at most this many rows
	labelRunes   = 34 // longer labels are cut in the chart (the table has them whole)
	axisTitle    = 20 // the title under a column chart's labels, or above a bar chart
)

func pct(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) }

// columnChart draws one or two series of columns over labels. values[i]
// holds the series' values for label i.
func columnChart(id, title string, l lang, labels, tips []string, values [][]int, classes []string) svgChart {
	ch := svgChart{ID: id, Title: title, Desc: l.T("statistics.chart_desc"),
		Height: columnTop + columnPlot + columnTicks + axisTitle + 4, TickY: columnTop + columnPlot + columnTicks,
		XTitleY: columnTop + columnPlot + columnTicks + axisTitle}
	top := 0
	for _, vs := range values {
		for _, v := range vs {
			top = max(top, v)
		}
	}
	if len(labels) == 0 || top == 0 {
		ch.Empty, ch.EmptyY = l.T("statistics.no_data"), columnTop+columnPlot/2
		ch.Lines = []int{columnTop + columnPlot}
		return ch
	}
	ch.MaxText = l.T("statistics.chart_max", formatInt(l, top))
	ch.Lines = []int{columnTop, columnTop + columnPlot}
	slot := 100 / float64(len(labels))
	series := len(classes)
	width := slot * 0.8 / float64(series)
	every := (len(labels) + columnLabels - 1) / columnLabels
	for i, label := range labels {
		for s := range series {
			h := int(math.Round(float64(columnPlot) * float64(values[i][s]) / float64(top)))
			if values[i][s] > 0 {
				h = max(h, 1)
			}
			ch.Columns = append(ch.Columns, svgColumn{X: pct(float64(i)*slot + slot*0.1 + float64(s)*width), W: pct(width),
				Y: columnTop + columnPlot - h, H: h, Class: classes[s], Tip: tips[i]})
		}
		if i%every == 0 {
			ch.Ticks = append(ch.Ticks, svgTick{X: pct(float64(i)*slot + slot/2), Label: label})
		}
	}
	return ch
}

// barChart draws horizontal bars, a label and a value above each; scale
// is the value of a full-width bar.
func barChart(id, title string, l lang, labels, values, tips []string, lengths []float64, scale float64) svgChart {
	ch := svgChart{ID: id, Title: title, Desc: l.T("statistics.chart_desc")}
	if len(labels) == 0 || scale <= 0 {
		ch.Height, ch.Empty, ch.EmptyY = barRow, l.T("statistics.no_data"), barRow/2+5
		return ch
	}
	if len(labels) > barsShown {
		ch.Note = l.T("statistics.chart_capped", barsShown, len(labels))
		labels, values, tips, lengths = labels[:barsShown], values[:barsShown], tips[:barsShown], lengths[:barsShown]
	}
	for i := range labels {
		ch.Bars = append(ch.Bars, svgBar{Label: cut(labels[i], labelRunes), Value: values[i], Tip: tips[i],
			TextY: axisTitle + i*barRow + 15, BarY: axisTitle + i*barRow + 21, H: barHeight, W: pct(100 * lengths[i] / scale)})
	}
	ch.Height = axisTitle + len(labels)*barRow + 4
	return ch
}

// cut shortens s to n characters, ending with an ellipsis.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// statisticsChart draws the chart of one table.
func statisticsChart(rep quiz.Report, name, title string, l lang) svgChart {
	id := "chart-" + name
	tallyTip := func(label string, t quiz.Tally) string {
		return l.T("statistics.tip_tally", label, formatInt(l, t.Contestants), formatInt(l, t.Attempts))
	}
	var labels, values, tips []string
	var lengths []float64
	scale := 0.0
	addBar := func(label string, t quiz.Tally) {
		labels, values, tips = append(labels, label), append(values, formatInt(l, t.Contestants)), append(tips, tallyTip(label, t))
		lengths = append(lengths, float64(t.Contestants))
		scale = max(scale, float64(t.Contestants))
	}
	switch name {
	case "days":
		var counts [][]int
		for _, d := range rep.Days {
			labels = append(labels, pageDate(d.Date)[:5])
			tips = append(tips, tallyTip(pageDate(d.Date), d.Tally))
			counts = append(counts, []int{d.Contestants, d.Attempts})
		}
		ch := columnChart(id, title, l, labels, tips, counts, []string{"s1", "s2"})
		ch.Legend = []svgLegend{{"s1", l.T("statistics.col.contestants")}, {"s2", l.T("statistics.col.attempts")}}
		ch.XTitle, ch.YTitle = l.T("tables.axis_days_x"), l.T("tables.axis_days_y")
		return ch
	case "scores":
		var counts [][]int
		for _, s := range rep.Scores {
			labels = append(labels, formatInt(l, s.Score))
			tips = append(tips, l.T("statistics.tip_score", formatInt(l, s.Score), formatInt(l, s.Contestants)))
			counts = append(counts, []int{s.Contestants})
		}
		ch := columnChart(id, title, l, labels, tips, counts, []string{"s1"})
		ch.XTitle, ch.YTitle = l.T("tables.axis_scores_x"), l.T("tables.axis_contestants")
		return ch
	case "provinces":
		for _, p := range rep.Provinces {
			if p.Contestants > 0 { // the table lists the provinces without contestants
				addBar(provinceLabel(l, p), p.Tally)
			}
		}
	case "units":
		for _, u := range rep.Units {
			addBar(unitLabel(l, u.Unit), u.Tally)
		}
	case "ages":
		for _, a := range rep.Ages {
			addBar(l.T("statistics.age."+a.Key), a.Tally)
		}
	case "questions":
		for _, q := range rep.Questions {
			labels, values = append(labels, q.Text), append(values, formatPercent(l, q.Share()))
			tips = append(tips, l.T("statistics.tip_question", q.Text, formatInt(l, q.Correct), formatInt(l, q.Answered)))
			lengths = append(lengths, q.Share())
		}
		scale = 1
		if len(rep.Questions) == 0 {
			scale = 0
		}
	}
	ch := barChart(id, title, l, labels, values, tips, lengths, scale)
	ch.YTitle = l.T("tables.axis_contestants")
	if name == "questions" {
		ch.YTitle = l.T("tables.axis_share")
	}
	return ch
}

// statSection is one table of the page with its chart and downloads.
type statSection struct {
	Name, Title, Note string
	Chart             svgChart
	Table             statTable
	CSV               string
}

// statisticsPage shows a round's statistics to officials.
func (h *Handler) statisticsPage(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	rep, err := h.roundReport(c.UserContext(), id)
	if err != nil {
		return err
	}
	l := h.lang(c)
	notes := map[string]string{
		"days":      l.T("statistics.days_note"),
		"provinces": l.T("statistics.provinces_note"),
		"units":     l.T("statistics.units_note"),
		"ages":      l.T("statistics.ages_note", pageDate(rep.AgeOn)),
		"scores":    l.T("statistics.scores_note", formatInt(l, rep.MaxScore)),
		"questions": l.T("statistics.questions_note"),
	}
	var sections []statSection
	for _, name := range statisticsTables {
		title := l.T("statistics." + name)
		sections = append(sections, statSection{Name: name, Title: title, Note: notes[name],
			Chart: statisticsChart(rep, name, title, l), Table: statisticsTable(rep, name, l).forPage(),
			CSV: fmt.Sprintf("/api/v1/rounds/%d/statistics/%s.csv", id, name)})
	}
	r := rep.Round
	return h.page(c, fiber.StatusOK, "statistics", l.T("statistics.title")+": "+r.Name, fiber.Map{
		"Round": r, "Status": r.Status(h.Now()), "Report": rep, "Sections": sections,
		"Contestants": formatInt(l, rep.Total.Contestants), "Attempts": formatInt(l, rep.Total.Attempts),
		"MaxScore": formatInt(l, rep.MaxScore), "AgeOn": pageDate(rep.AgeOn),
	})
}
