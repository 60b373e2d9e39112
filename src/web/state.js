// The logged-in session, shared by the views: {user, csrf, mustChange}
// (mustChange: an administrator reset the password; it must be changed first).
export const session = { user: null, csrf: null, mustChange: false };
