// The logged-in session, shared by the views: {user, csrf, mfaEnrolmentOnly}
// (the last: the session reaches only the two-step login enrolment).
export const session = { user: null, csrf: null, mfaEnrolmentOnly: false };
