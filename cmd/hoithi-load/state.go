package main

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// stateView is what a contestant needs of an attempt's state: its
// deadline and each question's id, kind and options.
type stateView struct {
	Type      string
	Deadline  string
	Questions []questionView
}

type questionView struct {
	ID       int64
	Multiple bool
	Options  []int64
}

// decodeState reads a state message for what stateView holds. A state
// carries twenty questions of text, kilobytes that the load tool only
// passes over: this reader skips each string with one search for its
// closing quote, where encoding/json would step through every byte of it.
// Thousands of sockets getting their state in the same second would
// otherwise fill the load tool's core, and the time each state waited
// there would count as the server's.
func decodeState(data []byte) (stateView, error) {
	var st stateView
	s := &skimmer{b: data}
	err := s.object(func(key []byte) error {
		switch string(key) {
		case "type":
			v, err := s.plainString()
			st.Type = v
			return err
		case "deadline":
			v, err := s.plainString()
			st.Deadline = v
			return err
		case "questions":
			return s.array(func() error {
				var q questionView
				err := s.object(func(key []byte) error {
					switch string(key) {
					case "id":
						v, err := s.integer()
						q.ID = v
						return err
					case "multiple":
						v, err := s.boolean()
						q.Multiple = v
						return err
					case "options":
						return s.array(func() error {
							var id int64
							err := s.object(func(key []byte) error {
								if string(key) != "id" {
									return s.skip()
								}
								v, err := s.integer()
								id = v
								return err
							})
							q.Options = append(q.Options, id)
							return err
						})
					}
					return s.skip()
				})
				st.Questions = append(st.Questions, q)
				return err
			})
		}
		return s.skip()
	})
	if err == nil {
		s.space()
		if s.i != len(s.b) {
			err = s.fail("text after the message")
		}
	}
	return st, err
}

// skimmer reads JSON from b, at i.
type skimmer struct {
	b []byte
	i int
}

func (s *skimmer) fail(what string) error {
	return fmt.Errorf("state: %s at byte %d", what, s.i)
}

func (s *skimmer) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// next skips space and reports the byte there, 0 at the end.
func (s *skimmer) next() byte {
	s.space()
	if s.i == len(s.b) {
		return 0
	}
	return s.b[s.i]
}

func (s *skimmer) expect(c byte) error {
	if s.next() != c {
		return s.fail(fmt.Sprintf("want %q", c))
	}
	s.i++
	return nil
}

// object reads an object, calling member at each key with the reader at
// its value, which member must read or skip.
func (s *skimmer) object(member func(key []byte) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	if s.next() == '}' {
		s.i++
		return nil
	}
	for {
		key, err := s.rawString()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		s.space()
		if err := member(key); err != nil {
			return err
		}
		switch s.next() {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return s.fail("want , or }")
		}
	}
}

// array reads an array, calling element at each element, which element
// must read or skip.
func (s *skimmer) array(element func() error) error {
	if err := s.expect('['); err != nil {
		return err
	}
	if s.next() == ']' {
		s.i++
		return nil
	}
	for {
		s.space()
		if err := element(); err != nil {
			return err
		}
		switch s.next() {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		default:
			return s.fail("want , or ]")
		}
	}
}

// rawString reads a string and returns its bytes as written, escapes and
// all. Inside a string every quote is escaped, so its end is the first
// quote after an even run of backslashes.
func (s *skimmer) rawString() ([]byte, error) {
	if err := s.expect('"'); err != nil {
		return nil, err
	}
	start := s.i
	for {
		j := bytes.IndexByte(s.b[s.i:], '"')
		if j < 0 {
			s.i = len(s.b)
			return nil, s.fail("unended string")
		}
		end := s.i + j
		s.i = end + 1
		slashes := 0
		for k := end - 1; k >= start && s.b[k] == '\\'; k-- {
			slashes++
		}
		if slashes%2 == 0 {
			return s.b[start:end], nil
		}
	}
}

// plainString reads a string that holds no escape (a type, a time).
func (s *skimmer) plainString() (string, error) {
	raw, err := s.rawString()
	if err != nil {
		return "", err
	}
	if bytes.IndexByte(raw, '\\') >= 0 {
		return "", s.fail("escape in a plain string")
	}
	return string(raw), nil
}

// literal reads a number, true, false or null as written.
func (s *skimmer) literal() []byte {
	start := s.i
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return s.b[start:s.i]
		}
		s.i++
	}
	return s.b[start:s.i]
}

func (s *skimmer) integer() (int64, error) {
	v, err := strconv.ParseInt(string(s.literal()), 10, 64)
	if err != nil {
		return 0, s.fail("want an integer")
	}
	return v, nil
}

func (s *skimmer) boolean() (bool, error) {
	switch string(s.literal()) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, s.fail("want true or false")
}

var errDepth = errors.New("state: nested too deep")

// skip passes over one value.
func (s *skimmer) skip() error { return s.skipDepth(0) }

func (s *skimmer) skipDepth(depth int) error {
	if depth > 64 {
		return errDepth
	}
	switch s.next() {
	case '"':
		_, err := s.rawString()
		return err
	case '{':
		return s.object(func([]byte) error { return s.skipDepth(depth + 1) })
	case '[':
		return s.array(func() error { return s.skipDepth(depth + 1) })
	case 0:
		return s.fail("want a value")
	}
	if len(s.literal()) == 0 {
		return s.fail("want a value")
	}
	return nil
}
