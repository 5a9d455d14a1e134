package handlers

import (
	"github.com/gofiber/fiber/v2"

	"hoithi/quiz"
)

// routes lists every URL hoithi serves.
func (h *Handler) routes(app *fiber.App) {
	app.Use(h.observe, securityHeaders)

	// Request bodies are limited before anything reads them (bodies.go):
	// a bank file on the two routes that import one, 1 MiB on every other.
	app.Post("/api/v1/banks/:id/import", limitUpload)
	app.Post("/organize/banks/:id/import", limitUpload)
	app.Use(limitBody(formBodyLimit))

	// Routes before authenticate take no session: /metrics has a token of
	// its own.
	app.Get("/healthz", h.healthz)
	app.Get("/metrics", h.metrics)
	if h.Profiling {
		app.Get("/debug/pprof/*", h.profile)
	}
	app.Get("/static/*", h.static)
	app.Get("/favicon.ico", h.favicon)

	// A reset link carries its own token: its page takes no session, and
	// its form, posted from a page that sends no Referer, is proved by the
	// token rather than by the same-origin check (reset.go).
	app.Get("/reset/:token", h.resetPage)
	app.Post("/reset/:token", h.resetForm)

	app.Use(h.authenticate, sameOrigin)

	organizer := require(quiz.RoleOrganizer)
	contestant := require(quiz.RoleContestant)
	official := require(quiz.RoleOfficial)
	admin := require(quiz.RoleAdmin)
	signedIn := require("")

	// No API answer is kept by a browser or a proxy: many carry personal
	// data (the account, winners in every format, the audit log,
	// statistics) or a session token, and a shared office computer's cache
	// is the next user's to read.
	api := app.Group("/api/v1", noStore)
	api.Get("/consent", h.showConsent)
	api.Post("/auth/register", h.registerAPI)
	api.Post("/auth/login", h.loginAPI)
	api.Post("/auth/logout", h.logoutAPI)
	api.Get("/me", signedIn, h.showMe)
	api.Post("/me/password", signedIn, h.changePasswordAPI)

	// Admins: staff accounts.
	api.Get("/users", admin, h.listUsers)
	api.Post("/users/:id/disable", admin, h.disableUser)
	api.Post("/users/:id/enable", admin, h.enableUser)

	api.Get("/units", h.listUnits)
	api.Put("/units", organizer, h.replaceUnits)
	api.Get("/banks", organizer, h.listBanks)
	api.Post("/banks", organizer, h.createBank)
	api.Get("/banks/template.xlsx", organizer, h.bankTemplate)
	api.Get("/banks/:id/questions", organizer, h.listQuestions)
	api.Post("/banks/:id/questions", organizer, h.addQuestion)
	api.Put("/banks/:id/questions/:qid", organizer, h.editQuestion)
	api.Post("/banks/:id/questions/:qid/retire", organizer, h.retireQuestion)
	api.Post("/banks/:id/questions/:qid/restore", organizer, h.restoreQuestion)
	api.Post("/banks/:id/import", organizer, h.importBank)
	api.Get("/banks/:id/export", organizer, h.exportBank)

	api.Get("/contests", h.listContests)
	api.Post("/contests", organizer, h.createContest)
	api.Get("/contests/:id", h.showContest)
	api.Patch("/contests/:id", organizer, h.updateContest)
	api.Post("/contests/:id/consent", contestant, h.consentAPI)
	api.Post("/contests/:id/rounds", organizer, h.createRound)
	api.Post("/contests/:id/publish", organizer, h.publishContest)
	api.Post("/contests/:id/unpublish", organizer, h.unpublishContest)

	api.Get("/rounds/:id", h.showRound)
	api.Put("/rounds/:id", organizer, h.updateRound)
	api.Post("/rounds/:id/clone", organizer, h.cloneRound)
	api.Get("/rounds/:id/stats", organizer, h.showStats)
	api.Post("/rounds/:id/attempts", contestant, h.startAttempt)
	api.Get("/rounds/:id/leaderboard", h.showLeaderboard)
	api.Get("/rounds/:id/results", h.showResults)
	api.Get("/attempts/:id", signedIn, h.showAttempt)

	// Officials: locked results, winners, statistics, the audit log.
	api.Post("/rounds/:id/lock", official, h.lockRound)
	api.Post("/rounds/:id/unlock", admin, h.unlockRound)
	api.Get("/rounds/:id/winners", official, h.showWinners)
	api.Get("/rounds/:id/winners.xlsx", official, h.winnersXLSX)
	api.Get("/rounds/:id/winners.csv", official, h.winnersCSV)
	api.Get("/audit", official, h.showAudit)
	api.Get("/rounds/:id/statistics", official, h.showStatistics)
	api.Get("/rounds/:id/statistics/:table.csv", official, h.statisticsCSV)

	// A contestant's own data.
	api.Get("/me/data", signedIn, h.downloadOwnData)
	api.Delete("/me", signedIn, h.deleteAccount)

	// A contestant's rights over their data, beside the download and the
	// deletion: correct it, read it as a page, withdraw consent.
	api.Patch("/me", contestant, h.updateProfileAPI)
	api.Post("/me/consent/withdraw", signedIn, h.withdrawConsentAPI)
	app.Get("/me/profile", h.profilePage)
	app.Post("/me/profile", h.profileForm)
	app.Get("/me/data", h.ownDataPage)
	app.Get("/me/consent/withdraw", h.withdrawPage)
	app.Post("/me/consent/withdraw", h.withdrawForm)

	app.Get("/ws/attempts/:id", h.attemptSocket)
	app.Get("/ws/rounds/:id/leaderboard", h.leaderboardSocket)
	app.Get("/ws/rounds/:id/stats", h.statsSocket)

	app.Get("/", h.homePage)
	app.Get("/register", h.registerPage)
	app.Post("/register", h.registerForm)
	app.Get("/login", h.loginPage)
	app.Post("/login", h.loginForm)
	app.Post("/logout", h.logoutForm)
	app.Get("/lang/:code", h.switchLanguage)
	app.Get("/me", h.mePage)
	app.Get("/me/rounds/:id/certificate", h.myCertificatePage)
	app.Post("/me/delete", h.deleteForm)
	app.Post("/me/password", h.passwordForm)
	app.Get("/contests/:slug", h.contestPage)
	app.Get("/contests/:slug/rules", h.rulesPage)
	app.Get("/contests/:slug/privacy", h.contestPrivacyPage)
	app.Post("/contests/:slug/consent", h.consentForm)
	app.Get("/privacy", h.privacyPage)
	app.Post("/rounds/:id/start", h.startForm)
	app.Get("/rounds/:id/leaderboard", h.leaderboardPage)
	app.Get("/rounds/:id/results", h.resultsPage)
	app.Get("/attempts/:id", h.attemptPage)

	org := app.Group("/organize", staffPage(quiz.RoleOrganizer))
	org.Get("/", h.organizePage)
	org.Post("/banks", h.createBankForm)
	org.Get("/banks/:id", h.bankPage)
	org.Post("/banks/:id/import", h.previewImport)
	org.Post("/banks/:id/import/:token", h.confirmImport)
	org.Get("/banks/:id/questions/:qid", h.editorPage)
	org.Post("/banks/:id/questions/:qid", h.saveQuestionForm)
	org.Post("/banks/:id/questions/:qid/retire", h.retireForm)
	org.Post("/banks/:id/questions/:qid/restore", h.restoreForm)
	org.Post("/contests", h.createContestForm)
	org.Get("/contests/:id", h.contestBuilderPage)
	org.Post("/contests/:id/settings", h.saveContestForm)
	org.Post("/contests/:id/rounds", h.createRoundForm)
	org.Post("/contests/:id/publish", h.publishForm)
	org.Post("/contests/:id/unpublish", h.unpublishForm)
	org.Post("/rounds/:id/clone", h.cloneRoundForm)
	org.Get("/rounds/:id/edit", h.editRoundPage)
	org.Post("/rounds/:id/edit", h.updateRoundForm)
	org.Get("/rounds/:id", h.statsPage)
	org.Get("/rounds/:id/preview", h.previewPage)
	org.Get("/units", h.unitsPage)
	org.Post("/units", h.saveUnitsForm)

	off := app.Group("/official", staffPage(quiz.RoleOfficial))
	off.Get("/", h.officialPage)
	off.Get("/rounds/:id", h.winnersPage)
	off.Post("/rounds/:id/lock", h.lockForm)
	off.Post("/rounds/:id/unlock", h.unlockForm)
	off.Get("/rounds/:id/print", h.printPage)
	off.Get("/rounds/:id/certificates", h.certificatesPage)
	off.Get("/audit", h.auditPage)
	off.Get("/rounds/:id/statistics", h.statisticsPage)

	// Who issues and signs each contest's certificates: officials set it,
	// through the API or the toolbar of the print and certificates pages;
	// contestants' certificates only read it.
	api.Get("/contests/:id/certificate", official, h.showIssuer)
	api.Put("/contests/:id/certificate", official, h.setIssuer)
	off.Post("/rounds/:id/print", h.savePrintIssuer)
	off.Post("/rounds/:id/certificates", h.saveCertificatesIssuer)
	// Forgotten passwords, the password change an account owes, and the
	// staff accounts' page (reset.go, staff.go).
	api.Post("/auth/forgot", h.forgotAPI)
	api.Post("/auth/reset", h.resetAPI)
	api.Get("/accounts", organizer, h.findAccountsAPI)
	api.Post("/users/:id/reset", organizer, h.issueResetAPI)
	api.Patch("/users/:id", admin, h.renameUserAPI)
	app.Get("/forgot", h.forgotPage)
	app.Post("/forgot", h.forgotForm)
	app.Get("/me/password", h.passwordOwedForm)
	org.Get("/accounts", h.accountsPage)
	org.Post("/accounts/:id/reset", h.issueResetForm)
	adm := app.Group("/admin", staffPage(quiz.RoleAdmin))
	adm.Get("/users", h.staffUsersPage)
	adm.Post("/users/:id/name", h.renameForm)
	adm.Post("/users/:id/disable", h.disableForm)
	adm.Post("/users/:id/enable", h.enableForm)
	adm.Post("/users/:id/reset", h.staffResetForm)

	// Live quizzes (live.go): organizers create games and follow them; the
	// results go to organizers and officials. The games themselves run
	// over the websocket /ws/live/{pin}.
	api.Post("/live", organizer, h.createLive)
	api.Get("/live", organizer, h.listLive)
	api.Get("/live/:id", organizer, h.showLive)
	api.Get("/live/:id/results", organizerOrOfficial, h.showLiveResults)
	api.Get("/live/:id/results.xlsx", organizerOrOfficial, h.liveResultsXLSX)
	api.Get("/live/:id/results.csv", organizerOrOfficial, h.liveResultsCSV)

	// The live quiz's websocket and pages (live_socket.go, live_pages.go):
	// players join with the PIN and play on their phones; the host creates
	// a game and runs it from the projector view.
	app.Get("/ws/live/:pin", h.liveSocket)
	app.Get("/live/join", h.liveJoinPage)
	app.Post("/live/join", h.liveJoinForm)
	app.Get("/live/:pin", h.livePlayPage)
	org.Get("/live", h.liveGamesPage)
	org.Post("/live", h.createLiveForm)
	org.Get("/live/:id", h.liveHostPage)

	app.Use(func(c *fiber.Ctx) error {
		c.Locals(unmatchedKey, true)
		return quiz.NotFound("page")
	})
}
