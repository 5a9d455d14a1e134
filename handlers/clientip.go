package handlers

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// proxies is the set of reverse proxies whose X-Forwarded-For is believed.
type proxies []netip.Prefix

// parseProxies reads addresses and CIDR ranges ("127.0.0.1", "10.0.0.0/8").
func parseProxies(list []string) (proxies, error) {
	var out proxies
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: not an address or CIDR range", s)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

func (ps proxies) trusts(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientIP is the address a request came from: the peer, or, when the peer
// is a trusted proxy, the nearest address in X-Forwarded-For that is not
// one. Reading from the right means a client cannot choose its address by
// sending the header itself: only what trusted proxies appended counts.
func (h *Handler) clientIP(c *fiber.Ctx) string {
	peer, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok {
		return c.Context().RemoteIP().String()
	}
	peer = peer.Unmap()
	if !h.proxies.trusts(peer) {
		return peer.String()
	}
	hops := strings.Split(c.Get(fiber.HeaderXForwardedFor), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		if !h.proxies.trusts(a) {
			return a.Unmap().String()
		}
		peer = a.Unmap()
	}
	return peer.String()
}

// clientKey is the client's address as the limits count it (addressKey).
func (h *Handler) clientKey(c *fiber.Ctx) string { return addressKey(h.clientIP(c)) }

// addressKey is the key a client address is counted under in the limits:
// an IPv4 address itself, an IPv6 address by its /64. One subscriber is
// given a whole /64 and may use any address in it, so counting single
// IPv6 addresses would let one client pass as billions.
func addressKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	return netip.PrefixFrom(a.WithZone(""), 64).Masked().String()
}
