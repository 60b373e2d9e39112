// The logged-in session, shared by the views: {user, csrf}.
export const session = { user: null, csrf: null };
