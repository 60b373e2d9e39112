// The logged-in session, shared by the views: {user, csrf, mustChange,
// mfaEnrolmentOnly} (mustChange: an administrator reset the password; it must
// be changed first. mfaEnrolmentOnly: the session reaches only the two-step
// login enrolment).
// site: the site the session works in ({code, name, ...}); sites: those the
// user may switch to.
export const session = { user: null, csrf: null, mustChange: false, mfaEnrolmentOnly: false, site: null, sites: [] };
