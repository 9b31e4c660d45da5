#!/usr/bin/env python3
"""Regenerate the answer fixtures for forms/household.md.

Writes valid.json (one complete, valid six-member household), refusal.json
(consent refused), rules.tsv (one line per data-quality rule: name, kind,
question, domain.md 7.2 row, expected message zh, en) and rules/NAME.pass.json
/ rules/NAME.fail.json for every rule.  Each fixture is the valid household
with a small patch, so it isolates one rule.  The messages here are copied
from forms/household.md; tests/forms/t_household_rules.sh checks that fill
prints them.  Run from anywhere: python3 make_fixtures.py
"""
import copy, json, os

HERE = os.path.dirname(os.path.abspath(__file__))
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

def idcard(area, birth, seq, sex):
    """A fake 18-char ID with a valid check digit; seq 2 digits, sex digit parity."""
    d = area + birth.replace('-', '') + seq + ('1' if sex == 'male' else '2')
    return d + '10X98765432'[sum(int(c) * w for c, w in zip(d, W)) % 11]

def member(name, rel, sex, birth, seq, **kw):
    m = {'m_name': name, 'm_relation': rel, 'm_sex': sex, 'm_id_type': 'resident_id',
         'm_id_number': idcard('341802', birth, seq, sex), 'm_birth': birth,
         'm_health': ['healthy'], 'm_in_school': 'not_in_school', 'm_labour': 'none',
         'm_work_scope': 'none', 'm_pw_job': 'no', 'm_med_resident': 'yes', 'm_med_employee': 'no',
         'm_pension': 'resident', 'm_dibao': 'no', 'm_tekun': 'no', 'm_med_aid': 'no'}
    m.update(kw)
    return m

VISIT = {
    'visit_type': 'verification', 'visit_mode': 'in_person', 'channel': 'cadre_screening',
    'worker1': '李网格', 'worker2': '王干部', 'visit_date': '2024-09-10',
}
CONSENT = {
    'consent': 'yes', 'signer_name': '张建国', 'signer_role': 'self', 'proxy_written': 'no',
    'fingerprint': 'yes', 'code_written': 'OK',
}
BASE = dict(VISIT)
BASE.update(CONSENT)
BASE.update({
    'province': '34', 'city': '3418', 'county': '341802', 'township': '341802101',
    'village': '341802101201', 'vgroup': '34180210120101',
    'hh_id': '3418021012010007', 'hh_type': 'ordinary', 'phone': '13905631234',
    'member': [
        member('张建国', 'head', 'male', '1979-03-15', '03', m_edu='junior', m_labour='normal',
               m_work_scope='out_province', m_work_county='昆山市', m_work_months='6', m_work_wage='3000'),
        member('李秀英', 'spouse', 'female', '1981-06-20', '02', m_edu='primary', m_labour='normal'),
        member('张伟', 'son', 'male', '2005-10-02', '05', m_in_school='in_school', m_grade='bachelor'),
        member('张丽', 'daughter', 'female', '2010-05-08', '04', m_in_school='in_school', m_grade='g8'),
        member('张德福', 'father', 'male', '1952-01-20', '01', m_health=['chronic'], m_edu='illiterate',
               m_labour='lost'),
        member('王桂兰', 'mother', 'female', '1954-11-03', '06', m_edu='illiterate', m_labour='weak'),
    ],
    'inc_wage_migrant': '18000', 'inc_bus_crop': '6000', 'inc_bus_livestock': '2000',
    'inc_prop_dividend': '300', 'inc_tr_pension': '3600', 'inc_tr_eco': '500', 'inc_tr_subsidy': '800',
    'cost_farm': '3000', 'med_oop': '6000',
    'g_food': 'yes', 'g_edu': 'no', 'g_med': 'no', 'g_house': 'B', 'g_water': ['none'],
    'land_farm': '4.5', 'land_pasture': '0', 'land_water': '0', 'land_forest': '2', 'land_return': '0',
    'land_orchard': '0.8', 'road_km': '1.2',
    'risk_illness': 'yes',
    'line_pick': '34-2024', 'category': 'marginal', 'ident_month': '202409',
    'has_job': 'yes', 'has_health': 'yes', 'ms_job': ['labour_export'], 'ms_health': ['premium_subsidy'],
    'el_done': 'no',
})
REFUSAL = dict(VISIT)
REFUSAL.update({'consent': 'no', 'refusal_reason': 'privacy', 'refusal_note': '户主说不愿意提供家庭收入情况'})

# ---- patch helpers: each returns a function that edits a deep copy of a fixture
def S(**kw):
    def f(d):
        for k, v in kw.items():
            if v is None:
                d.pop(k, None)
            else:
                d[k] = v
    return f

def M(i, **kw):
    def f(d):
        m = d['member'][i]
        for k, v in kw.items():
            if v is None:
                m.pop(k, None)
            else:
                m[k] = v
    return f

def P(*fs):
    def f(d):
        for g in fs:
            g(d)
    return f

NOOP = P()

def MS(kind, *vals):
    """Measures of one kind: has_KIND yes with the given details, or no."""
    key = 'other' if kind == 'social' else kind
    if vals:
        return S(**{'has_' + kind: 'yes', 'ms_' + key: list(vals)})
    return S(**{'has_' + kind: 'no', 'ms_' + key: None})
NOWORK = dict(m_work_scope='none', m_work_county=None, m_work_months=None, m_work_wage=None)
ELIM = P(S(visit_type='elimination', inc_wage_migrant='50000', ident_month='202401', el_done='yes',
           el_way='assisted', el_month='202408', el_edu='no', el_house='no', el_med='no', el_water='no',
           el_contact='张建国', el_contact_phone='13905631234'))
DISABLED_FATHER = M(4, m_health=['chronic', 'disabled'], m_dis_type='physical', m_dis_grade='3')
HENAN = S(province='41', city='4105', county='410581', township='410581101', village='410581101201',
          vgroup='41058110120101', line_pick=None)

# name, kind, question, domain 7.2 row, zh, en, pass patch, fail patch (base may be REFUSAL)
RULES = [
 ('visit_two_workers', 'error', 'worker2', '§3.2',
  '入户核实和风险消除核实需要两名工作人员在场，请填写第二名工作人员。',
  'A verification visit needs two workers present. Enter the second worker.',
  S(visit_type='screening', worker2=None), S(worker2=None)),
 ('visit_workers_distinct', 'error', 'worker2', '§3.2',
  '第二名工作人员不能与第一名相同，请填写另一人的姓名。',
  "The second worker must be a different person from the first. Enter the other person's name.",
  NOOP, S(worker2='李网格')),
 ('visit_date_future', 'error', 'visit_date', '—',
  '访问日期不能晚于今天，请检查日期。', 'The visit date cannot be after today. Check the date.',
  S(visit_date='2024-09-15'), S(visit_date='2024-09-20')),
 ('visit_remote_absent', 'warning', 'absent_long', '§3.4',
  '远程访问（电话或网络）一般只用于长期外出的家庭。如确需远程访问，请写明原因。',
  'Remote visits (phone or online) are meant for households that are away long-term. If you still need one, give the reason.',
  S(visit_mode='phone', absent_long='yes'), S(visit_mode='phone', absent_long='no')),
 ('consent_fingerprint', 'error', 'fingerprint', '§4',
  '纸质授权书必须由申请人按手印。请先按手印，再选“是”。',
  'The applicant must put a fingerprint on the paper letter. Have it done, then choose Yes.',
  NOOP, S(fingerprint='no')),
 ('consent_proxy_read', 'error', 'proxy_read', '§4',
  '代写人必须向申请人宣读并解释授权书内容。请先宣读，再选“是”。',
  'The proxy must read the letter aloud and explain it to the applicant. Do that first, then choose Yes.',
  S(proxy_written='yes', proxy_name='刘村干', proxy_relation='village_cadre', proxy_read='yes'),
  S(proxy_written='yes', proxy_name='刘村干', proxy_relation='village_cadre', proxy_read='no')),
 ('consent_code_written', 'error', 'code_written', '§4',
  '请把记录编号写在纸质授权书上，然后勾选确认。', 'Write the record code on the paper letter, then tick to confirm.',
  NOOP, S(code_written=None)),
 ('consent_refusal_reason', 'error', 'refusal_reason', '§4',
  '请选择拒绝原因。已填的访问信息会保存。', 'Choose the reason for refusal. The visit details entered so far are saved.',
  'REFUSAL', S(refusal_reason=None)),
 ('phone_format', 'error', 'phone', '7',
  '手机号码应为11位数字，以1开头。请重新输入。', 'A mobile number has 11 digits and starts with 1. Re-enter it.',
  NOOP, S(phone='1390563123')),
 ('phone_prefix', 'warning', 'phone', '7',
  '这个号码段不是常见的手机号段，请核对号码。', 'This number does not start with a known mobile prefix. Check the number.',
  S(phone='19905631234'), S(phone='12905631234')),
 ('hh_id_format', 'error', 'hh_id', '§5.1',
  '户编号只能由6到30位数字或字母组成，请核对。', 'The household number must be 6 to 30 digits or letters. Check it.',
  NOOP, S(hh_id='HH-01')),
 ('id_checksum', 'error', 'm_id_number', '1, 3',
  '证件号码不正确：身份证为18位且校验位正确；残疾人证为18位身份证号加2位或4位。请对照证件重新输入。',
  'The ID number is not valid: an ID card has 18 characters with a correct check digit; a disability certificate is the 18-character ID plus 2 or 4 characters. Re-enter it from the card.',
  P(DISABLED_FATHER, M(4, m_id_type='disability_cert', m_id_number=idcard('341802', '1952-01-20', '01', 'male') + '43')),
  M(0, m_id_number=idcard('341802', '1979-03-15', '03', 'male')[:17] + ('0' if idcard('341802', '1979-03-15', '03', 'male')[17] != '0' else '1'))),
 ('id_placeholder', 'warning', 'm_id_number', '3',
  '这个号码以999999开头，是占位号码，不是真实证件号。请尽量填写真实号码。',
  'This number starts with 999999: it is a placeholder, not a real ID. Enter the real number if you can.',
  NOOP, M(1, m_id_number=idcard('999999', '1981-06-20', '02', 'female'))),
 ('id_type_number', 'error', 'm_id_type', '1',
  '证件类型与证件号码不符：居民身份证为18位，残疾人证为20位或22位，暂无证件的不填号码。请核对。',
  'The ID document does not fit the number: an ID card has 18 characters, a disability certificate 20 or 22, and no document means no number. Check both.',
  M(2, m_id_type='none', m_id_number=None), M(0, m_id_type='disability_cert')),
 ('id_birth_sex', 'error', 'm_birth', '2',
  '出生日期或性别与证件号码不一致（或出生日期晚于今天）。请对照证件核对。',
  'The birth date or sex does not match the ID number (or the birth date is after today). Check against the card.',
  M(2, m_id_type='none', m_id_number=None), M(2, m_birth='2005-10-03')),
 ('rel_structure', 'error', 'm_relation', '5',
  '第1位成员必须是户主，一户只能有一位户主，最多一位配偶。请检查与户主关系。',
  'The first member must be the household head; a household has one head and at most one spouse. Check the relationship.',
  NOOP, M(5, m_relation='spouse')),
 ('rel_sex', 'error', 'm_sex', '5, 6',
  '性别与“与户主关系”不符（如“之子”应为男性，“之女”应为女性，配偶与户主性别不同）。请核对。',
  'The sex does not fit the relationship to the head (a son is male, a daughter female, a spouse differs from the head). Check both.',
  M(2, m_id_type='none', m_id_number=None), M(2, m_id_type='none', m_id_number=None, m_sex='female')),
 ('school_status_required', 'error', 'm_in_school', '8',
  '请选择在校情况（在校生不填文化程度，不在校的填文化程度）。',
  'Choose the schooling status (students get no education level; others do).',
  NOOP, M(1, m_in_school=None, m_edu=None)),
 ('edu_required', 'error', 'm_edu', '8',
  '不在校的成员必须填写文化程度。', 'A member who is not in school needs an education level.',
  NOOP, M(1, m_edu=None)),
 ('school_age_grade', 'warning', 'm_grade', '9',
  '年级与年龄不太相符（初中一般12–17岁，高中15–20岁，高职、技师学院、本科18岁以上，研究生20岁以上）。请核对出生日期和年级。',
  'The grade does not fit the age (junior middle 12–17, senior high 15–20, higher vocational, technician college or university 18+, postgraduate 20+). Check the birth date and the grade.',
  NOOP, M(3, m_grade='hs2')),
 ('preschool_age', 'warning', 'm_in_school', '10',
  '7岁以上、身体健康的成员一般不再是学龄前儿童或在读学前教育。请核对。',
  'A healthy member aged 7 or older is normally not a preschool child or in preschool. Check this.',
  NOOP, M(3, m_in_school='preschool', m_grade=None)),
 ('edu_low_young', 'warning', 'm_edu', '10',
  '16–22岁的成员文化程度为小学及以下，比较少见。请核对。',
  'A member aged 16–22 with primary schooling or less is unusual. Check this.',
  M(2, m_in_school='not_in_school', m_grade=None, m_edu='senior', m_labour='normal'),
  M(2, m_in_school='not_in_school', m_grade=None, m_edu='primary', m_labour='normal')),
 ('dropout_reason', 'error', 'm_out_reason', '11',
  '该成员在义务教育年龄（9月1日满6–16岁）但不在校，请选择未上学原因。',
  'This member is of compulsory school age (6–16 on 1 September) but not in school. Choose the reason.',
  P(M(3, m_in_school='not_in_school', m_grade=None, m_edu='primary', m_out_reason='economic'), S(g_edu='yes')),
  P(M(3, m_in_school='not_in_school', m_grade=None, m_edu='primary'), S(g_edu='yes'))),
 ('dropout_health', 'warning', 'm_out_reason', '12',
  '未上学原因是因病或因残，但健康状况填的是“健康”。请核对。',
  'The reason is illness or disability, but the member\'s health is "healthy". Check both.',
  M(3, m_in_school='not_in_school', m_grade=None, m_edu='primary', m_out_reason='illness', m_health=['serious']),
  M(3, m_in_school='not_in_school', m_grade=None, m_edu='primary', m_out_reason='illness')),
 ('health_exclusive', 'error', 'm_health', '—',
  '“健康”不能与疾病或残疾同时选择。', '"Healthy" cannot be chosen together with an illness or a disability.',
  NOOP, M(0, m_health=['healthy', 'chronic'])),
 ('labour_child', 'error', 'm_labour', '14',
  '未满16周岁的成员劳动技能只能选“无劳动力”。', 'A member under 16 can only have "no labour capacity".',
  NOOP, M(3, m_labour='weak')),
 ('labour_adult', 'warning', 'm_labour', '13',
  '16–59岁、身体健康且不在校的成员一般有劳动能力。请核对劳动技能。',
  'A healthy member aged 16–59 who is not in school can usually work. Check the labour capacity.',
  M(1, m_labour='weak', m_health=['chronic']), M(1, m_labour='weak')),
 ('work_child', 'error', 'm_work_scope', '14',
  '未满16周岁的成员不能登记务工。', 'A member under 16 cannot be registered as working.',
  NOOP, M(3, m_work_scope='in_county', m_work_county='宣州区', m_work_months='2', m_work_wage='800')),
 ('work_county', 'warning', 'm_work_county', '17',
  '务工地点请写到县级（以县、区、市或旗结尾），例如“昆山市”。',
  'Give the work place down to county level (ending in 县, 区, 市 or 旗), e.g. 昆山市.',
  M(0, m_work_county='宝安区'), M(0, m_work_county='江苏')),
 ('work_months_range', 'error', 'm_work_months', '30',
  '务工时间应为0到12个月。', 'Months worked must be 0 to 12.',
  M(0, m_work_months='12'), M(0, m_work_months='13')),
 ('work_months_zero', 'warning', 'm_work_months', '30',
  '已填写务工地点，但务工时间为0个月。请核对。', 'A work place is given but the months worked are 0. Check it.',
  M(0, m_work_months='1'), M(0, m_work_months='0')),
 ('wage_range', 'warning', 'm_work_wage', '16',
  '月工资不在100至30000元之间，请核对。', 'The monthly wage is outside 100–30,000 yuan. Check it.',
  M(0, m_work_wage='30000'), M(0, m_work_wage='50')),
 ('pw_job_age', 'warning', 'm_pw_job', '15',
  '公益性岗位一般安排给16至69岁的成员。请核对年龄或岗位。',
  'Public-welfare jobs are normally for members aged 16 to 69. Check the age or the job.',
  M(5, m_pw_job='yes', m_pw_months='10'), M(4, m_pw_job='yes', m_pw_months='10')),
 ('tekun_able', 'warning', 'm_tekun', '15',
  '18–60岁、身体健康且不在校的成员享受特困供养，比较少见。请核对。',
  'A healthy member aged 18–60 not in school receiving extreme-poverty support is unusual. Check this.',
  P(M(4, m_tekun='yes'), S(inc_tr_tekun='3000'), MS('assist', 'tekun')),
  P(M(1, m_tekun='yes'), S(inc_tr_tekun='3000'), MS('assist', 'tekun'))),
 ('med_ins_both', 'error', 'm_med_employee', '25',
  '不能同时参加城乡居民医保和职工医保。请核对。',
  "A person cannot be in both the residents' and the employees' basic medical insurance. Check this.",
  M(0, m_med_resident='no', m_med_employee='yes'), M(0, m_med_employee='yes')),
 ('income_range', 'error', 'inc_bus_crop', '—',
  '金额不能为负数，也不能超过1000万元。请核对。', 'An amount cannot be negative or above 10 million yuan. Check it.',
  NOOP, S(inc_bus_crop='-5')),
 ('wage_low', 'warning', 'inc_wage_pw', '26',
  '全年工资性收入在0到100元之间，很可能填错了单位或漏填了。请核对。',
  'Yearly wage income is between 0 and 100 yuan: probably a unit error or a missing item. Check it.',
  S(visit_type='annual', inc_wage_migrant='50'), S(inc_wage_migrant='50')),
 ('dibao_income', 'warning', 'inc_tr_dibao', '28',
  '家中有享受低保的成员，但低保金收入为0。请核对。', 'A member receives dibao, but the dibao income is 0. Check it.',
  P(M(4, m_dibao='yes'), S(inc_tr_dibao='2400'), MS('assist', 'dibao')), P(M(4, m_dibao='yes'), MS('assist', 'dibao'))),
 ('tekun_income', 'warning', 'inc_tr_tekun', '28',
  '家中有享受特困供养的成员，但特困供养金为0。请核对。',
  'A member receives extreme-poverty support, but the payment is 0. Check it.',
  P(M(4, m_tekun='yes'), S(inc_tr_tekun='3000'), MS('assist', 'tekun')), P(M(4, m_tekun='yes'), MS('assist', 'tekun'))),
 ('guar_edu_roster', 'warning', 'g_edu', '§5.4',
  '这一项与家庭成员的在校情况不一致。请核对。', "This answer does not match the members' schooling. Check it.",
  NOOP, S(g_edu='yes')),
 ('guar_med_roster', 'warning', 'g_med', '§5.4',
  '这一项与家庭成员的参保情况不一致。请核对。', "This answer does not match the members' insurance. Check it.",
  P(M(5, m_med_resident='no'), S(g_med='yes')), S(g_med='yes')),
 ('water_none', 'error', 'g_water', '§5.4',
  '“没有问题”不能与其他饮水问题同时选择。', '"No problem" cannot be chosen together with a water problem.',
  NOOP, S(g_water=['none', 'quality'])),
 ('risk_illness_facts', 'warning', 'risk_illness', '20',
  '选择了“因病”，但没有成员患大病或长期慢性病，或合规自付医疗支出为0。请核对。',
  '"Illness" is chosen, but no member has a serious or chronic illness, or the eligible out-of-pocket medical cost is 0. Check this.',
  NOOP, S(med_oop='0')),
 ('risk_disability_facts', 'warning', 'risk_disability', '20 (by analogy)',
  '选择了“因残”，但没有成员有残疾。请核对。', '"Disability" is chosen, but no member has a disability. Check this.',
  P(DISABLED_FATHER, S(risk_disability='yes', risk_main='illness')), S(risk_disability='yes', risk_main='illness')),
 ('risk_school_facts', 'warning', 'risk_school', '20 (by analogy)',
  '选择了“因学”，但家中没有在校生。请核对。', '"Schooling costs" is chosen, but no member is in school. Check this.',
  P(S(risk_school='yes', risk_main='illness'), MS('education', 'grant')),
  P(P(S(risk_school='yes', risk_main='illness'), MS('education', 'grant')),
    M(2, m_in_school='not_in_school', m_grade=None, m_edu='senior', m_labour='normal'),
    M(3, m_in_school='not_in_school', m_grade=None, m_edu='junior', m_out_reason='completed'))),
 ('risk_disaster_type', 'error', 'disaster_type', '22',
  '选择了“因自然灾害”，请选择灾害类型。', '"Natural disaster" is chosen: choose the kind of disaster.',
  S(risk_disaster='yes', disaster_type='flood', risk_main='illness'), S(risk_disaster='yes', risk_main='illness')),
 ('risk_job_facts', 'warning', 'risk_job', '19',
  '选择了“因务工就业不稳”，但家中没有有劳动能力的成员或没有务工记录。请核对。',
  '"Unstable employment" is chosen, but no member can work or nobody has a work record. Check this.',
  S(risk_job='yes', risk_main='job'),
  P(S(risk_job='yes', risk_main='job'), MS('job', 'training'), M(0, **NOWORK))),
 ('risk_labour_facts', 'warning', 'risk_labour', '18',
  '选择了“缺劳动力”，但全部成员（4人以上的户为一半以上成员）有普通或技能劳动力。请核对。',
  '"Lack of labour" is chosen, but all members (in households of 4 or more, over half) have normal or skilled labour. Check this.',
  S(risk_labour='yes', risk_main='labour'),
  P(S(risk_labour='yes', risk_main='labour'), M(2, m_in_school='not_in_school', m_grade=None, m_edu='senior', m_labour='normal'),
    M(5, m_labour='normal'))),
 ('risk_housing_missing', 'warning', 'risk_housing', '21',
  '住房安全等级为C级或D级，但没有选择“因安全住房”风险。请核对。',
  'The house is rated C or D, but "unsafe housing" is not chosen. Check this.',
  P(S(g_house='C', risk_housing='yes', risk_main='housing'), MS('housing', 'renovation')), S(g_house='C')),
 ('risk_water_missing', 'warning', 'risk_water', '21',
  '饮水存在问题，但没有选择“因安全饮水”风险。请核对。',
  'There is a drinking-water problem, but "unsafe drinking water" is not chosen. Check this.',
  P(S(g_water=['quantity'], risk_water='yes', risk_main='water'), MS('water', 'water_works')), S(g_water=['quantity'])),
 ('risk_max5', 'error', 'risk_main', '§5.1',
  '最多只能登记5项风险。请只保留最主要的5项。', 'At most five risk factors can be recorded. Keep the five main ones.',
  S(risk_disaster='yes', disaster_type='flood', risk_accident='yes', risk_business='yes', risk_other='yes',
    risk_other_text='牲畜病死', risk_main='illness'),
  S(risk_disaster='yes', disaster_type='flood', risk_accident='yes', risk_business='yes', risk_other='yes',
    risk_other_text='牲畜病死', risk_housing='yes', risk_main='illness', has_housing='yes', ms_housing=['renovation'])),
 ('line_manual_required', 'error', 'line_manual', '§6.1',
  '本地区本年度的监测线没有内置，请输入监测线（元/人/年）。',
  'The monitoring line for this area and year is not built in. Enter it (yuan per person per year).',
  P(HENAN, S(line_manual='7800')), HENAN),
 ('cat_type', 'error', 'category', '§2',
  '“脱贫不稳定户”只适用于脱贫户，“边缘易致贫户”只适用于一般农户。请核对户类型或类别。',
  '"Unstable formerly-poor" is only for formerly-poor households and "marginal at-risk" only for ordinary ones. Check the household type or the category.',
  S(hh_type='formerly_poor', category='unstable'), S(category='unstable')),
 ('cat_suggest', 'warning', 'category', '§5.2',
  '确认的类别与系统根据收入和风险给出的建议不同。如确有理由，请写明。',
  'The confirmed category differs from the suggestion based on income and risks. If you have a reason, write it down.',
  NOOP, S(category='sudden')),
 ('ident_month_format', 'error', 'ident_month', '§5.1',
  '识别监测时间应为6位年月（如202409），且不晚于访问月份。',
  'The month identified is six digits, year and month (e.g. 202409), not after the visit month.',
  S(ident_month='202312'), S(ident_month='202410')),
 ('job_measure_work', 'warning', 'ms_job', '24, 28',
  '登记了劳务输出、交通补贴或帮扶车间，但没有成员务工或工资性收入为0。请核对。',
  'Labour export, a transport subsidy or a workshop job is recorded, but nobody works or wage income is 0. Check this.',
  NOOP, P(M(0, **NOWORK), S(inc_wage_migrant='0', inc_wage_local='1000'))),
 ('measure_health', 'warning', 'has_health', '23',
  '有“因病”风险，但没有健康帮扶或社会帮扶措施。请补充措施或说明原因。',
  'There is an illness risk but no health or social assistance measure. Add one or give the reason.',
  P(MS('health'), MS('social', 'social')), MS('health')),
 ('measure_education', 'warning', 'has_education', '23',
  '有“因学”风险，但没有教育帮扶或社会帮扶措施。请补充措施或说明原因。',
  'There is a schooling-cost risk but no education or social assistance measure. Add one or give the reason.',
  P(S(risk_school='yes', risk_main='illness'), MS('education', 'grant')), S(risk_school='yes', risk_main='illness')),
 ('yulu_vocational', 'error', 'ms_education', '24',
  '“雨露计划”只适用于在读中职或高职的学生，家中没有这样的学生。',
  'The Yulu plan is only for vocational (secondary or higher) students, and no member is one.',
  P(M(2, m_grade='hvoc1'), MS('education', 'yulu')), MS('education', 'yulu')),
 ('safety_net_status', 'warning', 'has_assist', '24',
  '低保、特困措施与家庭成员享受低保、特困的情况不一致。请核对。',
  "The dibao or extreme-poverty measure does not match the members' dibao or extreme-poverty status. Check this.",
  P(M(4, m_dibao='yes'), S(inc_tr_dibao='2400'), MS('assist', 'dibao')), MS('assist', 'dibao')),
 ('safety_net_detail', 'warning', 'ms_assist', '24',
  '低保、特困措施与家庭成员享受低保、特困的情况不一致。请核对。',
  "The dibao or extreme-poverty measure does not match the members' dibao or extreme-poverty status. Check this.",
  P(M(4, m_dibao='yes'), S(inc_tr_dibao='2400'), MS('assist', 'dibao')),
  P(M(4, m_dibao='yes'), S(inc_tr_dibao='2400'), MS('assist', 'tekun'))),
 ('disability_allowance', 'warning', 'has_allowance', '24',
  '家中有一级或二级残疾的成员，但没有残疾人补贴。请核对。',
  'A member has a grade 1 or 2 disability, but there is no disability allowance. Check this.',
  P(DISABLED_FATHER, M(4, m_dis_grade='2'), MS('allowance', 'disability_allowance')),
  P(DISABLED_FATHER, M(4, m_dis_grade='2'))),
 ('disability_allowance_detail', 'warning', 'ms_allowance', '24',
  '家中有一级或二级残疾的成员，但没有残疾人补贴。请核对。',
  'A member has a grade 1 or 2 disability, but there is no disability allowance. Check this.',
  P(DISABLED_FATHER, M(4, m_dis_grade='2'), MS('allowance', 'disability_allowance', 'temp_aid')),
  P(DISABLED_FATHER, M(4, m_dis_grade='2'), MS('allowance', 'temp_aid'))),
 ('measure_housing', 'warning', 'has_housing', '23',
  '有“因安全住房”风险，但没有住房安全保障或搬迁措施。请补充措施或说明原因。',
  'There is an unsafe-housing risk but no housing or relocation measure. Add one or give the reason.',
  P(S(risk_housing='yes', risk_main='illness'), MS('housing', 'relocation')), S(risk_housing='yes', risk_main='illness')),
 ('measure_water', 'warning', 'has_water', '23',
  '有“因安全饮水”风险，但没有饮水安全保障措施。请补充措施或说明原因。',
  'There is an unsafe-water risk but no drinking-water measure. Add one or give the reason.',
  P(S(risk_water='yes', risk_main='illness'), MS('water', 'water_works')), S(risk_water='yes', risk_main='illness')),
 ('measure_dev', 'warning', 'has_job', '23',
  '家中有劳动能力的成员，应至少落实一项产业或就业帮扶。请补充措施或说明原因。',
  'Members of this household can work, so it needs at least one industry or employment measure. Add one or give the reason.',
  P(MS('industry', 'subsidy'), MS('job')), MS('job')),
 ('elim_no_labour', 'error', 'el_done', '29',
  '全家都没有劳动能力的户不能标注风险消除，应继续监测并落实兜底保障。',
  'A household where nobody can work cannot be marked risk eliminated: keep monitoring it and keep the safety net.',
  ELIM, P(ELIM, M(0, m_health=['chronic'], m_labour='lost'), M(1, m_health=['chronic'], m_labour='lost'),
            M(5, m_labour='none'))),
 ('elim_criteria', 'warning', 'el_done', '§3.5',
  '人均纯收入仍低于监测线，或“两不愁三保障”和饮水安全仍有问题，一般不能消除风险。请核对。',
  'Per-capita income is still below the line, or basic needs, the three guarantees or drinking water still have a problem: the risk is normally not eliminated. Check this.',
  ELIM, P(ELIM, S(inc_wage_migrant='18000'))),
 ('elim_fields', 'error', 'el_water', '28',
  '风险已消除，此项必须填写。', 'Required once the risk is eliminated.',
  ELIM, P(ELIM, S(el_water=None))),
 ('elim_month_order', 'error', 'el_month', '29',
  '消除时间应为6位年月，不早于识别监测时间，不晚于访问月份。',
  'The month eliminated is six digits, year and month, not before the month identified and not after the visit month.',
  ELIM, P(ELIM, S(el_month='202312'))),
 ('elim_6months', 'warning', 'el_month', '29',
  '识别监测不满6个月就消除风险，收入一般还不稳定。请核对。',
  'The risk is eliminated less than 6 months after identification; income is usually not yet stable. Check this.',
  ELIM, P(ELIM, S(ident_month='202405'))),
 ('land_negative', 'error', 'land_farm', '27',
  '面积不能为负数，也不能超过10万亩。请核对。', 'An area cannot be negative or above 100,000 mu. Check it.',
  NOOP, S(land_farm='-1')),
 ('land_small_range', 'warning', 'land_water', '27',
  '这一项面积超过100亩，较少见。请核实后填写原因。',
  'This area is above 100 mu, which is unusual. Check it and give a reason.',
  S(land_water='100'), S(land_water='120')),
 ('land_large_range', 'warning', 'land_forest', '27',
  '这一项面积超过200亩，较少见。请核实后填写原因。',
  'This area is above 200 mu, which is unusual. Check it and give a reason.',
  S(land_forest='200'), S(land_forest='260')),
 ('road_distance', 'warning', 'road_km', '27',
  '距村主干路超过5公里，较少见。请核实后填写原因。',
  "More than 5 km from the village's main road is unusual. Check it and give a reason.",
  S(road_km='5'), S(road_km='7.5')),
]

def build(base, patch):
    d = copy.deepcopy(base)
    patch(d)
    return d

def dump(path, d):
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(d, f, ensure_ascii=False, indent=1)
        f.write('\n')

# ---- demo households for `make demo` (forms/demo/): synthetic names, fake IDs with valid check digits
def demo_households():
    hh = []
    hh.append(BASE)
    d = build(BASE, P(S(village='341802101202', vgroup='34180210120201', hh_id='3418021012020003',
                        hh_type='formerly_poor', phone='13855631870', category='unstable', ident_month='202403',
                        signer_name='陈玉兰', worker1='李网格', worker2='王干部', visit_date='2024-09-11'),
                      MS('job'), MS('health', 'premium_subsidy', 'med_aid'), MS('assist', 'dibao'),
                      S(inc_wage_migrant='0', inc_bus_crop='2500', inc_bus_livestock='0', inc_prop_dividend='200',
                        inc_tr_pension='2400', inc_tr_dibao='5400', inc_tr_eco='0', inc_tr_subsidy='600',
                        cost_farm='800', med_oop='3200')))
    d['member'] = [
        member('陈玉兰', 'head', 'female', '1956-04-12', '07', m_health=['chronic'], m_edu='illiterate',
               m_labour='weak', m_dibao='yes'),
        member('刘长顺', 'spouse', 'male', '1953-08-30', '09', m_health=['serious'], m_edu='primary',
               m_labour='lost', m_dibao='yes', m_med_aid='yes'),
        member('刘小军', 'grandson', 'male', '2012-02-17', '11', m_in_school='in_school', m_grade='g7'),
    ]
    hh.append(d)
    d = build(BASE, P(S(township='341802102', village='341802102201', vgroup='34180210220102',
                        hh_id='3418021022010011', phone='15955637742', signer_name='周志强', visit_date='2024-09-12',
                        visit_type='screening', worker2=None, risk_illness='no', category='none', ident_month=None,
                        inc_wage_migrant='62000', inc_wage_local='18000', inc_bus_crop='4000', inc_bus_livestock='0',
                        inc_prop_dividend='300', inc_tr_pension='0', inc_tr_eco='0', inc_tr_subsidy='400',
                        cost_farm='1500', med_oop='0', has_job=None, has_health=None, ms_job=None, ms_health=None,
                        el_done=None)))
    d['member'] = [
        member('周志强', 'head', 'male', '1984-12-05', '13', m_edu='senior', m_labour='skilled',
               m_work_scope='out_province', m_work_county='昆山市', m_work_months='10', m_work_wage='6200'),
        member('吴红梅', 'spouse', 'female', '1986-03-22', '14', m_edu='junior', m_labour='normal',
               m_work_scope='in_county', m_work_county='宣州区', m_work_months='12', m_work_wage='1500'),
        member('周子涵', 'daughter', 'female', '2012-03-09', '16', m_in_school='in_school', m_grade='g7'),
        member('周子轩', 'son', 'male', '2019-01-28', '17', m_in_school='preschool'),
    ]
    hh.append(d)
    return hh

def main():
    os.makedirs(os.path.join(HERE, 'rules'), exist_ok=True)
    dump(os.path.join(HERE, 'valid.json'), BASE)
    dump(os.path.join(HERE, 'refusal.json'), REFUSAL)
    names = set()
    with open(os.path.join(HERE, 'rules.tsv'), 'w', encoding='utf-8') as tsv:
        tsv.write('# rule\tkind\tquestion\tdomain.md\tmessage zh\tmessage en  (generated by make_fixtures.py)\n')
        for name, kind, qn, ref, zh, en, okp, badp in RULES:
            assert name not in names, name
            names.add(name)
            base = REFUSAL if okp == 'REFUSAL' else BASE
            okd = REFUSAL if okp == 'REFUSAL' else build(BASE, okp)
            dump(os.path.join(HERE, 'rules', name + '.pass.json'), okd)
            dump(os.path.join(HERE, 'rules', name + '.fail.json'), build(base, badp))
            tsv.write('\t'.join([name, kind, qn, ref, zh, en]) + '\n')
    demo = os.path.join(HERE, '..', '..', '..', 'forms', 'demo')
    os.makedirs(demo, exist_ok=True)
    for i, d in enumerate(demo_households(), 1):
        dump(os.path.join(demo, 'household-%d.json' % i), d)

if __name__ == '__main__':
    main()
