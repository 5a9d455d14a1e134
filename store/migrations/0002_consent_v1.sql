INSERT INTO consent_texts (version, purpose, body_vi, body_en, published_at) VALUES (
    'contest-2026-01',
    'contest',
    'Tôi đồng ý để đơn vị tổ chức cuộc thi xử lý các dữ liệu cá nhân tôi khai ở trên (họ và tên, ngày sinh, số căn cước công dân, số điện thoại, email, tỉnh/thành phố, xã/phường, đơn vị) cho một mục đích duy nhất: tổ chức cuộc thi, xác minh người đoạt giải và trao giải. Trang công khai chỉ hiển thị họ tên và đơn vị của tôi. Tôi có quyền xem, đề nghị sửa và đề nghị xóa dữ liệu của mình theo Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15.',
    'I agree that the organizers of the contest process the personal data I entered above (full name, date of birth, citizen ID number, phone number, e-mail, province, commune, unit) for one purpose only: running the contest, verifying winners and awarding prizes. Public pages show only my name and unit. I may see my data and ask for it to be corrected or deleted, under the Personal Data Protection Law No. 91/2025/QH15.',
    1767225600000
);
