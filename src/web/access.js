// Who may open which page: the roles of each route, and the address of the
// public request page. Apart from the views so that the router knows them
// without loading a view before its page is opened.

export const ACCESS_LOG_ROLES = ['admin', 'qa'];
export const USER_ADMIN = ['admin'];
export const AE_READ = ['admin', 'coordinator', 'physician', 'nurse', 'qa'];
export const AE_WRITE = ['physician', 'nurse'];
export const BEDSIDE_READ = ['admin', 'coordinator', 'physician', 'nurse'];
export const BEDSIDE_GIVE = ['physician', 'nurse'];
export const CLINIC_SETTINGS = ['admin'];
export const FOLLOWUP_ROLES = ['admin', 'coordinator', 'physician', 'nurse'];
export const REPORT_ROLES = ['admin', 'physician', 'analyst'];
export const LAB_SETTINGS = ['admin'];
export const LAB_READ = ['lab', 'qa', 'physician', 'nurse'];
export const PROGRAMME_ROLES = ['admin', 'coordinator', 'physician', 'nurse'];
export const PUBLIC_REQUEST_PATH = '/consultation';
export const SECURITY_EVENT_ROLES = ['admin', 'qa'];
export const SITES_ADMIN = ['admin'];
export const TIMELINE_ROLES = ['admin', 'coordinator', 'physician', 'nurse'];
