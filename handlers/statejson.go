package handlers

import (
	"encoding/json"
	"slices"
	"strconv"
	"sync"
)

// The state message is the largest a contestant gets, and in a round's
// opening rush every contestant gets one within the same seconds: twenty
// questions of Vietnamese text, escaped for JSON character by character.
// The texts are the bank's and the same for everyone, so their JSON is
// kept once (jsonTexts) and the message is put together from it, byte
// for byte as encoding/json writes it (TestTheStateIsWrittenAsEncodingJSONWritesIt).

// jsonTexts keeps the JSON string of question and option texts by id. An
// entry counts only while its text is the one asked for, so an edited
// question is encoded again. At most maxJSONTexts are kept; past that the
// cache starts over.
type jsonTexts struct {
	mu sync.Mutex
	m  map[int64]jsonText
}

type jsonText struct {
	text string
	json []byte
}

const maxJSONTexts = 200_000

// lookup returns the JSON of text, the text of id, from the cache or
// encoded now and kept. The caller holds c.mu.
func (c *jsonTexts) lookup(id int64, text string) []byte {
	if e, ok := c.m[id]; ok && e.text == text {
		return e.json
	}
	encoded, _ := json.Marshal(text) // a string always encodes
	if c.m == nil || len(c.m) >= maxJSONTexts {
		c.m = make(map[int64]jsonText)
	}
	c.m[id] = jsonText{text, encoded}
	return encoded
}

// marshalState encodes m as json.Marshal does, the texts from c.
func (c *jsonTexts) marshalState(m *stateMsg) []byte {
	size := 256
	for _, q := range m.Questions {
		size += len(q.Text) + len(q.Text)/8 + 64 // an eighth for escapes
		for _, o := range q.Options {
			size += len(o.Text) + len(o.Text)/8 + 40
		}
	}
	b := make([]byte, 0, size)
	b = append(b, `{"type":`...)
	b = appendJSON(b, m.Type)
	b = append(b, `,"attempt_id":`...)
	b = strconv.AppendInt(b, m.AttemptID, 10)
	b = append(b, `,"round_id":`...)
	b = strconv.AppendInt(b, m.RoundID, 10)
	b = append(b, `,"status":`...)
	b = appendJSON(b, m.Status)
	b = append(b, `,"deadline":`...)
	b = appendJSON(b, m.Deadline)
	b = append(b, `,"server_time":`...)
	b = appendJSON(b, m.ServerTime)
	b = append(b, `,"grace_ms":`...)
	b = strconv.AppendInt(b, m.GraceMs, 10)
	if m.PredictionPrompt != "" {
		b = append(b, `,"prediction_prompt":`...)
		b = appendJSON(b, m.PredictionPrompt)
	}
	b = append(b, `,"questions":`...)
	if m.Questions == nil {
		b = append(b, "null"...)
	} else {
		c.mu.Lock()
		b = append(b, '[')
		for i, q := range m.Questions {
			if i > 0 {
				b = append(b, ',')
			}
			b = c.appendQuestion(b, q)
		}
		b = append(b, ']')
		c.mu.Unlock()
	}
	b = append(b, `,"answers":`...)
	b = appendAnswers(b, m.Answers)
	return append(b, '}')
}

// appendQuestion writes one question. The caller holds c.mu.
func (c *jsonTexts) appendQuestion(b []byte, q stateQuestion) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, q.ID, 10)
	b = append(b, `,"text":`...)
	b = append(b, c.lookup(q.ID, q.Text)...)
	b = append(b, `,"multiple":`...)
	b = strconv.AppendBool(b, q.Multiple)
	b = append(b, `,"options":`...)
	if q.Options == nil {
		return append(b, "null}"...)
	}
	b = append(b, '[')
	for i, o := range q.Options {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":`...)
		b = strconv.AppendInt(b, o.ID, 10)
		b = append(b, `,"text":`...)
		b = append(b, c.lookup(o.ID, o.Text)...)
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

// appendJSON writes a short string as encoding/json does.
func appendJSON(b []byte, s string) []byte {
	encoded, _ := json.Marshal(s)
	return append(b, encoded...)
}

// appendAnswers writes the answers by question id, keys in the order of
// their text, as encoding/json orders a map's.
func appendAnswers(b []byte, answers map[int64][]int64) []byte {
	if answers == nil {
		return append(b, "null"...)
	}
	keys := make([]string, 0, len(answers))
	for id := range answers {
		keys = append(keys, strconv.FormatInt(id, 10))
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		id, _ := strconv.ParseInt(k, 10, 64)
		b = append(b, '"')
		b = append(b, k...)
		b = append(b, `":`...)
		ids := answers[id]
		if ids == nil {
			b = append(b, "null"...)
			continue
		}
		b = append(b, '[')
		for j, o := range ids {
			if j > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, o, 10)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}
