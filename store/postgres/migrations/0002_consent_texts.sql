-- The consent texts of SQLite migrations 0002 and 0014, word for word:
-- every consent record points at the version its person read.

INSERT INTO consent_texts (version, purpose, body_vi, body_en, published_at) VALUES (
    'contest-2026-01',
    'contest',
    'Tôi đồng ý để đơn vị tổ chức cuộc thi xử lý các dữ liệu cá nhân tôi khai ở trên (họ và tên, ngày sinh, số căn cước công dân, số điện thoại, email, tỉnh/thành phố, xã/phường, đơn vị) cho một mục đích duy nhất: tổ chức cuộc thi, xác minh người đoạt giải và trao giải. Trang công khai chỉ hiển thị họ tên và đơn vị của tôi. Tôi có quyền xem, đề nghị sửa và đề nghị xóa dữ liệu của mình theo Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15.',
    'I agree that the organizers of the contest process the personal data I entered above (full name, date of birth, citizen ID number, phone number, e-mail, province, commune, unit) for one purpose only: running the contest, verifying winners and awarding prizes. Public pages show only my name and unit. I may see my data and ask for it to be corrected or deleted, under the Personal Data Protection Law No. 91/2025/QH15.',
    1767225600000
);

-- Version 2 of the text contestants agree to. {controller_name},
-- {controller_address}, {controller_contact} and {identity_when} are
-- filled in from the contest (or the installation's default) when the
-- text is shown; the filled text is what consent_shown keeps.
INSERT INTO consent_texts (version, purpose, body_vi, body_en, published_at) VALUES (
    'contest-2026-02',
    'contest',
'THÔNG BÁO XỬ LÝ DỮ LIỆU CÁ NHÂN

Bên kiểm soát và xử lý dữ liệu cá nhân: {controller_name}. Địa chỉ: {controller_address}. Liên hệ: {controller_contact}.

Mục đích duy nhất: tổ chức cuộc thi, chấm điểm và xếp hạng, xác minh người đoạt giải, trao giải và giải quyết khiếu nại. Dữ liệu không được dùng cho mục đích khác (quảng cáo, tiếp thị…) và không được cung cấp cho tổ chức, cá nhân khác, trừ trường hợp pháp luật quy định. Phần mềm hội thi không gửi dữ liệu đến dịch vụ nào bên ngoài máy chủ của đơn vị tổ chức, trừ thư điện tử gửi cho chính bạn (ví dụ đường dẫn đặt lại mật khẩu) khi đơn vị tổ chức bật gửi thư.

Dữ liệu được xử lý và lý do:
- Họ và tên: để nhận biết người dự thi; hiển thị công khai trên bảng xếp hạng, danh sách đoạt giải và giấy chứng nhận.
- Ngày sinh: để biết người dự thi có dưới 16 tuổi hay không và xác minh người đoạt giải.
- Số định danh cá nhân: để xác minh người đoạt giải khi trao giải. Cuộc thi này hỏi ngày sinh và số định danh cá nhân {identity_when}.
- Số điện thoại: để đăng nhập và liên hệ với người đoạt giải.
- Thư điện tử (nếu bạn khai): để đăng nhập và liên hệ.
- Tỉnh/thành phố, xã/phường: để thống kê người dự thi theo địa bàn.
- Đơn vị: hiển thị cùng họ tên và dùng để xét giải tập thể.
- Bài thi: các lượt thi, câu trả lời, điểm, thời gian làm bài và dự đoán, để chấm điểm, xếp hạng và xét giải.
- Khi bạn đồng ý: thời điểm, địa chỉ IP, trình duyệt và nguyên văn thông báo này, làm bằng chứng về sự đồng ý.
- Với người dưới 16 tuổi: họ tên, quan hệ và số điện thoại của cha, mẹ hoặc người giám hộ, làm bằng chứng về sự đồng ý của người đại diện theo pháp luật.
Hệ thống không thu thập ảnh giấy tờ tùy thân.

Công khai: chỉ họ tên và đơn vị. Ngày sinh, số định danh cá nhân, số điện thoại, thư điện tử và địa chỉ không bao giờ hiển thị công khai; chỉ cán bộ được giao xét giải của đơn vị tổ chức được xem, và mỗi lần xuất danh sách đều được ghi vào nhật ký.

Thời hạn lưu trữ: đến hết 12 tháng kể từ ngày đợt thi cuối cùng của cuộc thi kết thúc (thời gian chốt kết quả, trao giải và giải quyết khiếu nại). Sau thời hạn đó, đơn vị tổ chức xóa: ngày sinh, số định danh cá nhân, số điện thoại và xã/phường trong kết quả đã chốt; toàn bộ dữ liệu cá nhân của tài khoản chỉ dự thi trong các cuộc thi đã hết thời hạn lưu trữ.

Những gì còn được giữ sau khi xóa tài khoản hoặc hết thời hạn lưu trữ, và lý do:
- Bản ghi sự đồng ý (của bạn và của người đại diện theo pháp luật, nếu có), kèm nguyên văn thông báo đã hiển thị: làm bằng chứng dữ liệu đã được xử lý khi có sự đồng ý.
- Điểm và bài thi không còn gắn với tên bạn: để bảng xếp hạng và thống kê của đợt thi không thay đổi.
- Hạng, giải, điểm, đơn vị và tỉnh/thành phố trong kết quả đã chốt: vì quyết định trao giải đã được công bố. Khi bạn tự xóa tài khoản, họ tên trong kết quả đã chốt được thay bằng "Người dùng đã xóa"; khi hết thời hạn lưu trữ, họ tên được giữ cùng quyết định trao giải.
- Nhật ký thao tác ghi theo mã tài khoản, không còn họ tên.

Quyền của bạn (Điều 4 Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15) và cách thực hiện:
- Được biết: đọc thông báo này khi đăng ký và bất cứ lúc nào ở mục "Thông báo xử lý dữ liệu cá nhân" cuối mỗi trang.
- Xem dữ liệu: trang "Tài khoản của tôi" (bấm vào tên bạn ở đầu trang).
- Sửa dữ liệu: trên trang "Tài khoản của tôi", trước khi đợt thi bạn tham gia được chốt kết quả; sau đó, đề nghị đơn vị tổ chức qua địa chỉ liên hệ ở trên.
- Tải dữ liệu: nút "Tải dữ liệu của tôi" trên trang "Tài khoản của tôi".
- Rút lại sự đồng ý: nút "Rút lại sự đồng ý" trên trang "Tài khoản của tôi"; dữ liệu cá nhân của tài khoản bị xóa như khi xóa tài khoản và việc rút lại được ghi nhận. Việc rút lại không ảnh hưởng đến việc xử lý đã thực hiện trước đó.
- Xóa dữ liệu: nút "Xóa tài khoản" trên trang "Tài khoản của tôi".
- Hạn chế hoặc phản đối xử lý: đề nghị đơn vị tổ chức qua địa chỉ liên hệ ở trên.
- Khiếu nại: gửi đến {controller_name} qua {controller_contact}; bạn cũng có quyền khiếu nại, tố cáo, khởi kiện theo quy định của pháp luật.

Người dưới 16 tuổi: cần có sự đồng ý của cha, mẹ hoặc người giám hộ (người đại diện theo pháp luật); người từ đủ 7 tuổi cần có cả sự đồng ý của chính mình (Điều 24 Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15). Trẻ em dưới 7 tuổi không đăng ký dự thi được.

Căn cứ: Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15 và Nghị định số 356/2025/NĐ-CP. Sự đồng ý là tự nguyện; không đồng ý thì không đăng ký dự thi được. Đánh dấu ô đồng ý là bạn (và người đại diện theo pháp luật, nếu có) xác nhận đã đọc và đồng ý với thông báo này.',
'NOTICE ON PROCESSING PERSONAL DATA

Controller and processor of the personal data: {controller_name}. Address: {controller_address}. Contact: {controller_contact}.

One purpose only: running the contest, scoring and ranking, verifying winners, awarding prizes and handling complaints. The data is used for nothing else (no advertising or marketing) and is given to no other organization or person, except where the law requires it. The contest software sends no data to any service outside the organizer''s server, except e-mail to you yourself (such as a password reset link) when the organizer turns e-mail on.

The data processed and why:
- Full name: to tell contestants apart; shown publicly on leaderboards, lists of winners and certificates.
- Date of birth: to know whether a contestant is under 16, and to verify winners.
- Personal identification number (số định danh cá nhân): to verify winners when prizes are awarded. This contest asks for the date of birth and the personal identification number {identity_when}.
- Phone number: to sign in and to contact winners.
- E-mail (if you give one): to sign in and to contact you.
- Province, commune: to count contestants by area.
- Unit: shown beside the name, and used for group prizes.
- Attempts: attempts, answers, scores, working times and predictions, to score, rank and award prizes.
- When you consent: the time, IP address, browser and the words of this notice, as proof of consent.
- For people under 16: the name, relationship and phone number of the parent or guardian, as proof of the legal representative''s consent.
No photo of an identity document is ever collected.

Public: the name and unit only. The date of birth, personal identification number, phone number, e-mail and address are never shown publicly; only the organizer''s staff appointed to award prizes see them, and every export of a list is written to an audit log.

How long: until 12 months after the last round of the contest closes (time to lock results, award prizes and handle complaints). After that the organizer erases: the date of birth, personal identification number, phone number and commune in locked results; all personal data of accounts that took part only in contests past that time.

What stays after an account is deleted or the time has passed, and why:
- The consent records (yours and your legal representative''s, if any), with the words of the notice shown: proof that the data was processed with consent.
- Scores and attempts no longer tied to your name: so that the round''s leaderboard and statistics do not change.
- Rank, prize, score, unit and province in locked results: the prize decision has been published. When you delete your account, your name in locked results becomes "Người dùng đã xóa" (deleted user); when the time has passed, the name stays with the prize decision.
- The audit log names the account by its number, not by name.

Your rights (Art. 4 of the Personal Data Protection Law No. 91/2025/QH15) and how to use them:
- To know: this notice, at registration and at any time under "Personal data notice" at the foot of every page.
- To see your data: the "My account" page (click your name at the top).
- To correct it: on the "My account" page, before the round you took part in is locked; after that, ask the organizer at the contact above.
- To download it: the "Download my data" button on the "My account" page.
- To withdraw consent: the "Withdraw consent" button on the "My account" page; your account''s personal data is erased as when deleting the account, and the withdrawal is recorded. Withdrawing does not affect processing done before.
- To delete it: the "Delete my account" button on the "My account" page.
- To restrict or object to processing: ask the organizer at the contact above.
- To complain: to {controller_name} at {controller_contact}; you may also complain, denounce or sue as the law provides.

People under 16: need the consent of a parent or guardian (their legal representative); from the age of 7 their own consent is needed as well (Art. 24 of the Personal Data Protection Law No. 91/2025/QH15). Children under 7 cannot register.

Legal basis: the Personal Data Protection Law No. 91/2025/QH15 and Decree No. 356/2025/NĐ-CP. Consent is voluntary; without it you cannot register. Ticking the consent box confirms that you (and your legal representative, if any) have read and agree to this notice.',
    1793466000000
);
