/**
 * `info/`: a cinema's settings as the real answer lays them out (docs/womei-api.md §3.17), every key of the
 * capture in its order. Values are the sandbox's own; the ones the checkout's world depends on are real rules:
 * the voucher tips (with the configured daily quota) and the stop-selling time.
 */
import { CARD_GRADES } from './fixture';
import type { Cinema } from './model';
import type { SandboxStore } from './store';
import { cardImage, rechargeItems } from './views';

/** The card catalogue's update stamp (unix seconds); a constant so answers do not change between calls. */
const CARD_CATALOGUE_UPDATED = 1_749_969_487;

/** The four rules the real cinema shows, numbered and CRLF-joined in one string as captured. */
export function voucherTips(quotaPerDay: number): string {
  return [
    '添加的兑换券需全部使用',
    '添加的兑换券不做存储，意外退出再次进入后需重新添加',
    '兑换券只可抵扣票款金额，不可抵扣服务费',
    `兑换券请求验证次数 ${quotaPerDay}次/人/天`,
  ]
    .map((tip, i) => `${i + 1}、${tip}`)
    .join('\r\n');
}

function cardCatalogue(store: SandboxStore): Record<string, unknown>[] {
  const cinemas = [...store.cinemas.values()];
  return CARD_GRADES.map((g) => ({
    card_grade_id: g.gradeId,
    card_name: g.name,
    card_desc: g.desc,
    card_image: cardImage(g.gradeId),
    card_status: 'USABLE',
    card_type: 'SOLID_STORED_CARD',
    is_open_card: false,
    is_recharge: g.rechargeFen.length > 0,
    is_store_money: true,
    open_card_price: 0,
    recharge_price_item: rechargeItems(g.gradeId),
    use_cinema_ids: cinemas.map((c) => c.cinemaId),
    use_cinema_names: cinemas.map((c) => c.name),
    use_text: g.desc,
    expiry_total_days: '',
    renewal_days: '',
    renewal_price: 0,
    ticket_strategy: '',
    bis_card_update_time: CARD_CATALOGUE_UPDATED,
  }));
}

export function cinemaInfoView(store: SandboxStore, c: Cinema): Record<string, unknown> {
  const memberDiscount = '会员卡有效期内，使用会员卡在小程序购票可享受超值会员价';
  const memberPolicy = '会员在小程序购票享受超值会员政策';
  return {
    cinema_id: c.cinemaId,
    cinema_name: c.name,
    cinema_area_id: c.areaId,
    cinema_area: c.areaName,
    cinema_addr: c.address,
    longitude: c.longitude,
    latitude: c.latitude,
    sell_system: 'VISTA',
    contact_phone: '010-00000000',
    office_hours: '09:00-00:00',
    bus_route: '',
    subway_route: '',
    ticket_collector_location: '',
    feature_parking_policy: '',
    feature_rest_area: '',
    feature_nearby_cuisine: '',
    feature_child_policy: '',
    feature_3d: '',
    feature_goods: '',
    feature_member_discount: memberDiscount,
    feature_member_policy: memberPolicy,
    refund_declare_type: 'HIDDEN',
    refund_declare_text: '',
    refund_way_text: '',
    stop_selling_time: 1,
    stop_selling_time_text: '开场前1分钟停止售票',
    goods_front_setting: true,
    goods_hall_setting: false,
    // Womei's own spelling.
    enable_solidcard_rotue: true,
    enable_open_solid_card: false,
    enable_electcard_route: false,
    enable_electcard_bind_route: false,
    enable_membercard_add_wecaht_cardbag: false,
    enable_membercard_guide: true,
    member_card_guide_switch: true,
    member_card_guide_price: false,
    member_card_guide_desc: false,
    member_card_guide_ticket_price: true,
    fee_solid_recharge_card: 0,
    fee_solid_equity_card: 0,
    fee_elect_recharge_card: 0,
    fee_elect_equity_card: 0,
    fee_nonmember: 0,
    enable_solid_card: true,
    solid_open_card_password: false,
    enable_elect_card: true,
    enable_goods_mall: true,
    enable_recommendation: true,
    schedule_guide_text_switch: false,
    schedule_guide_text: '',
    schedule_solid_card_switch: true,
    schedule_solid_card_label: '绑定会员卡购票更优惠',
    schedule_elect_card_switch: false,
    schedule_elect_card_label: '',
    pay_way: ['WECHAT', 'SOLID_STORED_CARD', 'SOLID_EQUITY_CARD', 'ELECT_STORED_CARD', 'ELECT_EQUITY_CARD'],
    solid_card_welfare_text: [
      { sub_title: '会员权益', title: '持卡购票享影城会员权益', desc: memberDiscount },
      { sub_title: '会员政策', title: '购票享影城对应级别的会员政策', desc: memberPolicy },
    ],
    elect_card_welfare_text: [],
    member_card_setting: {
      bind_solid_card_item_render: [
        { options: 'card_no', placeholder: '请输入卡号', type: '' },
        { options: 'card_pass', placeholder: '请输入密码', type: '' },
      ],
      solid_card: cardCatalogue(store),
      virtual_card: [],
    },
    voucher_tips: voucherTips(store.config.voucherQuota),
    bind_card_way: 'CARD_PIN',
    valid_card_way: 'CARD_PIN',
  };
}
