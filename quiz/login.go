package quiz

import "strings"

// NormalizeLogin returns a login (a phone number or an e-mail) in the form
// accounts are looked up by: a phone number as its ten digits, anything
// else trimmed, NFC and lower-cased. Two logins naming one account
// normalize alike, so that limits kept per login are kept per account.
func NormalizeLogin(login string) string {
	login = strings.TrimSpace(login)
	if phone, ok := NormalizePhone(login); ok {
		return phone
	}
	return NormalizeEmail(login)
}
