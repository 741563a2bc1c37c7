/**
 * The headers the WeChat mini-program sends on every request (docs/womei-api.md §1.2). Which ones the server
 * enforces is unknown, so all of them go out every time, exactly as captured.
 */

export const WECHAT_APP_ID = 'wx4bb9342b9d97d53c';
export const REFERER = `https://servicewechat.com/${WECHAT_APP_ID}/33/page-frame.html`;
export const WECHAT_USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/107.0.0.0 Safari/537.36 ' +
  'MicroMessenger/7.0.20.1781(0x6700143B) NetType/WIFI MiniProgramEnv/Windows WindowsWechat/WMPF ' +
  'WindowsWechat(0x63090c33)XWEB/13639';

/** GETs carry this content type although they have no body: a mini-program quirk kept for fidelity. */
export const GET_CONTENT_TYPE = 'multipart/form-data';
export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';
/** The body of a POST with no parameters: the literal two bytes `{}`, still with the form content type (§1.2). */
export const PARAMETERLESS_POST_BODY = '{}';

export function womeiHeaders(token: string, tenant: string, method: 'GET' | 'POST'): Record<string, string> {
  return {
    token,
    'x-channel-id': '40000',
    'tenant-short': tenant,
    'client-version': '4.0',
    'content-type': method === 'GET' ? GET_CONTENT_TYPE : FORM_CONTENT_TYPE,
    xweb_xhr: '1',
    'x-requested-with': 'wxapp',
    referer: REFERER,
    'user-agent': WECHAT_USER_AGENT,
  };
}

/**
 * Form body as the app encodes it: URLSearchParams, but a space as `%20` (the captured `ticket_pack_goods`)
 * rather than `+`. Safe because URLSearchParams writes a literal `+` as `%2B`, so every `+` is a space.
 */
export function formBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString().replace(/\+/g, '%20');
}
