// Every command of `govmon`, declared in one place: its arguments, options and bilingual help
// (docs/outputs.md lists them). Each action loads its handler (commands/<name>.ts) only when the
// command runs, so `govmon --help` and `govmon --version` load nothing but commander. Adding a
// command: declare it here, write its handler (CONTRIBUTING.md).

import fs from 'node:fs';
import { Command, Option } from 'commander';
import { rootPath } from '../../core/paths.ts';
import { DECISIONS, KINDS } from '../../metrics/contract.ts';
import { makeKit, type Kit } from './kit.ts';

type Handler<A extends unknown[]> = (kit: Kit, ...args: A) => Promise<number>;

/** A commander action that loads its handler when the command runs; the handler returns the exit code. */
function lazy<M, A extends unknown[]>(load: () => Promise<M>, pick: (m: M) => Handler<A>, program: Command) {
  return async (...args: unknown[]) => {
    // commander passes the positional arguments, the options, then the command itself
    const handler = pick(await load());
    const code = await handler(makeKit(program), ...(args.slice(0, -1) as A));
    process.exitCode = code;
  };
}

export function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(rootPath('package.json'), 'utf8')) as { version: string }).version;
}

/** The export kinds, for help only (the export module itself is loaded when `export` runs). */
const EXPORT_KINDS = [
  'metrics',
  'rectification',
  'elimination',
  'rightsizing',
  'reclaimed',
  'rejects',
  'sharing',
  'scores',
  'budget',
  'calendar',
  'costshare',
  'decisions',
];

export function buildProgram(): Command {
  const program = new Command();
  // commander's errors are thrown, not printed (main.ts says them in Chinese); set before any
  // command is added, so every command inherits it
  program.exitOverride().configureOutput({ outputError: () => undefined });
  program
    .name('govmon')
    .description('市数据局政务信息系统运行监测与绩效评价流水线\nMonitoring and performance-evaluation pipeline of a city data bureau')
    .addOption(new Option('--db <path>', '数据库文件 / database file (env GOVMON_DB)').default(undefined, 'data/govmon.duckdb'))
    .option('--profile <name>', '政策配置（名称或 JSON 文件）/ policy profile (name or JSON file)', 'default')
    .option('-q, --quiet', '只输出错误和警告 / print only errors and warnings')
    .version(packageVersion(), '-V, --version', '显示版本 / show the version')
    .helpOption('-h, --help', '显示帮助 / show help')
    .helpCommand('help [command]', '显示命令帮助 / help for a command');

  const database = () => import('./commands/database.ts');
  const runs = () => import('./commands/run.ts');
  const site = () => import('./commands/dashboard.ts');

  program
    .command('init')
    .description('创建或升级数据库（版本化迁移）/ create or upgrade the database')
    .action(lazy(database, (m) => m.init, program));

  program
    .command('ingest')
    .description('导入文件或文件夹 / ingest files or folders (systems, telemetry, catalog, om_report, decisions)')
    .argument('<paths...>', '文件或文件夹 / files or folders')
    .option('--kind <kind>', `强制指定类型 / force the kind: ${KINDS.join(' | ')}`)
    .option('--force', '即使相同内容已导入也再次导入 / ingest again even if the same bytes were ingested')
    .action(lazy(database, (m) => m.ingest, program));

  program
    .command('status')
    .description('数据库、最近导入与运行、拒收情况 / database, recent ingests and runs, rejects')
    .action(lazy(database, (m) => m.status, program));

  program
    .command('run')
    .description('月度运行：指标、条件、整改与淘汰清单、减配建议 / monthly run: metrics, conditions, lists')
    .option('--month <YYYY-MM>', '月份 / month')
    .option('--no-exports', '不写出清单文件 / do not write the export files')
    .option('--no-dashboard', '不生成看板 / do not build the dashboard')
    .option('--documents', '同时生成本月文书（Word）/ also write the month’s documents')
    .option('--timings', '列出每一步的耗时 / print how long each step took')
    .action(lazy(runs, (m) => m.run, program));

  program
    .command('evaluate')
    .description('年度评价：绩效评分、抽查复核、下一年度经费建议 / annual scores and budget recommendations')
    .option('--year <YYYY>', '评价年度 / the evaluated year')
    .action(lazy(runs, (m) => m.evaluate, program));

  program
    .command('export')
    .description('导出清单与表格 / export lists and tables (.csv .xlsx .parquet .json)')
    .argument('<kind>', `类型 / kind: ${EXPORT_KINDS.join(' | ')}`)
    .option('--month <YYYY-MM>', '月份 / month')
    .option('--year <YYYY>', '年度 / year')
    .option('--run <id>', '指定运行编号（默认为该期最新一次）/ a specific run')
    .option('--out <file>', '输出文件，格式由扩展名决定 / output file')
    .action(lazy(runs, (m) => m.exportKind, program));

  program
    .command('decide')
    .description('登记一项处置决定，并显示其对最近一个月清单的影响 / record one decision and show what it changes in the latest month')
    .argument('<system_id>', '系统编号 / system id')
    .argument('<decision>', `决定 / decision: ${DECISIONS.map((d) => `${d.label} ${d.code}`).join(' | ')}`)
    .option('--date <YYYY-MM-DD>', '生效日期（必填，不晚于今天）/ effective date')
    .option('--by <name>', '决定人（必填）/ decided by')
    .option('--doc <no>', '文号，如 临数局〔2026〕12号（豁免、同意关停必填）/ document number')
    .option('--reason <text>', '理由（豁免、整改说明不予认可、撤销决定必填）/ reason')
    .option('--until <YYYY-MM-DD>', '有效期至（豁免必填）/ valid until')
    .option('--revokes <id>', '撤销的决定编号（撤销决定必填）/ the decision revoked')
    .option('--vcpu <n>', '收回 vCPU（已收回资源）/ reclaimed vCPU')
    .option('--memory <gb>', '收回内存 GB（已收回资源）/ reclaimed memory')
    .option('--storage <gb>', '收回存储 GB（已收回资源）/ reclaimed storage')
    .option('--id <id>', '决定编号（默认自动编号）/ decision id (assigned when absent)')
    .action(
      lazy(
        () => import('./commands/decide.ts'),
        (m) => m.decide,
        program,
      ),
    );

  program
    .command('notices')
    .description('生成某月的文书（Word，按 GB/T 9704）：限期整改通知书、整改到期提醒、淘汰退出清单报批稿 / the month’s documents (.docx)')
    .option('--month <YYYY-MM>', '月份（须已运行）/ month (already run)')
    .option('--out <dir>', '输出文件夹 / output folder')
    .option('--doc-prefix <prefix>', '文号前缀，如 临数局〔2026〕（默认留空待填）/ document number prefix')
    .option('--date <YYYY-MM-DD>', '文书日期，到期提醒自该日起算 15 日（默认今天）/ the documents’ date (default today)')
    .option('--issuer <name>', '发文机关（默认 govmon.config.json 的 issuer 或 city + 数据局）/ issuing authority')
    .action(
      lazy(
        () => import('./commands/notices.ts'),
        (m) => m.notices,
        program,
      ),
    );

  program
    .command('dashboard')
    .description('生成月度监测站点（静态网页，可离线打开）/ build the static monthly dashboard')
    .option('--month <YYYY-MM>', '月份（须已运行）/ month (already run)')
    .option(
      '--out <dir>',
      '站点文件夹，默认 site/YYYY-MM（数据库旁，见 govmon.config.json 的 site_dir）/ site folder (default: site/YYYY-MM beside the database)',
    )
    .action(lazy(site, (m) => m.dashboard, program));

  program
    .command('serve')
    .description(
      '在本机提供站点（默认 http://127.0.0.1:8080/）；已建门户账户时为带登录的门户 / serve the site; with accounts, the portal with logins',
    )
    .option('--dir <dir>', '站点文件夹，默认 site/ 中最近一个月的站点 / site folder (default: the latest month under site/)')
    .option('--port <n>', '端口 / port', '8080')
    .option('--host <address>', '监听地址，默认仅本机 127.0.0.1 / address to bind (default 127.0.0.1)', '127.0.0.1')
    .option('--tls-cert <file>', '门户：TLS 证书（PEM）/ portal: TLS certificate (PEM)')
    .option('--tls-key <file>', '门户：TLS 私钥（PEM）/ portal: TLS private key (PEM)')
    .option(
      '--behind-proxy [addresses]',
      '门户：位于反向代理之后（由代理提供 TLS；可指定代理地址，默认本机）/ portal: behind a TLS reverse proxy (its addresses, default loopback)',
    )
    .option('--schedule', '门户：在同一进程中运行定时任务（收件箱、月度运行、年度评价）/ portal: run the scheduled jobs in this process')
    .option('--config <file>', '配置文件（默认为数据库所在目录的 govmon.config.json）/ configuration file')
    .action(
      lazy(
        () => import('./commands/serve.ts'),
        (m) => m.serve,
        program,
      ),
    );

  program
    .command('schedule')
    .description('定时任务守护进程（收件箱、月度运行、年度评价）/ the scheduling daemon')
    .option('--config <file>', '配置文件（默认为数据库所在目录的 govmon.config.json）/ configuration file')
    .option('--log-json <file>', '另以 JSON Lines 写日志到该文件（每行一个 JSON 对象）/ also write the log as JSON lines to this file')
    .option(
      '--metrics-port <n>',
      '在 127.0.0.1 的该端口提供 Prometheus 监控指标（/metrics）/ serve Prometheus metrics on this loopback port',
    )
    .action(
      lazy(
        () => import('./commands/schedule.ts'),
        (m) => m.schedule,
        program,
      ),
    );

  const pull = program
    .command('pull')
    .description('从外部系统拉取数据：Prometheus 运行监测、FOCUS 云费用账单 / pull data: Prometheus telemetry, FOCUS cloud costs');
  const pulls = () => import('./commands/pull.ts');
  pull
    .command('prometheus')
    .description('从 Prometheus 拉取每日运行监测数据并按监测数据导入 / pull daily telemetry from Prometheus (query_range)')
    .option('--url <url>', 'Prometheus 地址，如 http://10.0.0.5:9090 / Prometheus base URL')
    .option('--mapping <file>', '映射文件（JSON），示例见 data/templates/prometheus-node-exporter.json / mapping file')
    .option('--month <YYYY-MM>', '月份（北京时间）/ month (Asia/Shanghai)')
    .option('--from <YYYY-MM-DD>', '起始日期，默认月初 / first day')
    .option('--to <YYYY-MM-DD>', '结束日期，默认月末（今天之后的日期不拉取）/ last day')
    .option('--timeout <seconds>', '每次查询的超时秒数，默认 120 / per-query timeout', '120')
    .option('--work-dir <dir>', '保存拉取结果（原始数据点和监测数据 CSV）的文件夹，默认数据库旁的 pulls/ / where pulled files are kept')
    .option(
      '--allow-missing',
      '某列的查询没有返回任何序列时仍然导入其他列（该列保留数据库中已有的值）/ go on when a column finds no series (its stored values are kept)',
    )
    .action(lazy(pulls, (m) => m.prometheus, program));
  pull
    .command('focus')
    .description('导入 FinOps FOCUS 云费用账单（CSV/Parquet），按标签对应到系统 / load FOCUS cost exports, attributed to systems')
    .argument('<files...>', 'FOCUS 文件或文件夹（.csv、.csv.gz、.parquet）/ files or folders')
    .option('--tag <key>', '按该标签的值对应系统编号，如 application / the tag whose value is the system_id')
    .option('--mapping <file>', '映射文件（JSON）：标签值→系统编号、ResourceId 匹配规则 / mapping file')
    .option('--cost <basis>', '实测费用口径：billed（BilledCost，默认）或 effective（EffectiveCost）/ cost basis', 'billed')
    .option(
      '--fx <CUR=RATE>',
      '非人民币账单的汇率（1 单位外币折合人民币元），如 --fx USD=7.1 / exchange rates to yuan',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--force', '即使相同内容已导入也再次导入（作为新的一批）/ load again even if the same bytes were loaded')
    .action(lazy(pulls, (m) => m.focus, program));

  program
    .command('template')
    .description('生成 XLSX 填报模板（中文表头、下拉选项、填写说明）/ write the XLSX input form of a kind')
    .argument('<kind>', `类型 / kind: ${KINDS.join(' | ')}`)
    .option('--out <file>', '输出文件（.xlsx）/ output file (.xlsx)')
    .option('--department <name>', '预填该建设单位的系统（仅 om_report）/ pre-fill the systems of a department (om_report only)')
    .option('--year <yyyy>', '预填年度（仅 om_report，需与 --department 一起）/ pre-fill the O&M year (with --department)')
    .action(
      lazy(
        () => import('./commands/template.ts'),
        (m) => m.template,
        program,
      ),
    );

  const user = program
    .command('user')
    .description('门户账户：新增、列出、停用、重置密码（govmon serve 使用）/ portal accounts: add, list, disable, reset');
  const users = () => import('./commands/user.ts');
  user
    .command('add')
    .description(
      '新增账户；密码从标准输入读取，未提供则生成并只显示一次 / add an account (password from stdin, or generated and shown once)',
    )
    .argument('<login>', '账户名 / login name')
    .option('--role <role>', '角色：bureau（数据局）、department（建设单位）、finance（财政局）/ role')
    .option('--department <name>', '建设单位名称（department 角色必填）/ the department (role department)')
    .action(lazy(users, (m) => m.add, program));
  user
    .command('list')
    .description('列出全部账户及其状态 / list the accounts')
    .action(lazy(users, (m) => m.list, program));
  user
    .command('disable')
    .description('停用账户（其会话随即失效）/ disable an account (its sessions end)')
    .argument('<login>', '账户名 / login name')
    .action(lazy(users, (m) => m.disable, program));
  user
    .command('reset')
    .description('重置密码并解除锁定、重新启用；密码从标准输入读取或生成 / new password, unlock and enable')
    .argument('<login>', '账户名 / login name')
    .action(lazy(users, (m) => m.reset, program));

  const profile = program.command('profile').description('政策配置：列出与查看规则、参数和引用条款 / policy profiles: list and show');
  const profiles = () => import('./commands/profile.ts');
  profile
    .command('list')
    .description('列出内置政策配置及其依据的办法 / list the shipped profiles and their measures')
    .action(lazy(profiles, (m) => m.list, program));
  profile
    .command('show')
    .description('显示一个政策配置的每条规则、参数与引用条款 / show every rule of a profile with its parameters and citations')
    .argument('[name]', '配置名称或 JSON 文件路径，默认为 --profile 的值 / profile name or JSON file (defaults to --profile)')
    .action(lazy(profiles, (m) => m.show, program));

  const backups = () => import('./commands/backup.ts');
  program
    .command('backup')
    .description(
      '备份整个数据库为 Parquet（DuckDB EXPORT DATABASE），含原始文件归档 / back up the whole database as Parquet, with the raw-file archive',
    )
    .option('--out <dir>', '备份文件夹（须为新的或空的文件夹）/ backup folder (new or empty)')
    .option('--no-archive', '不复制原始文件归档（archive/）/ leave the raw-file archive out')
    .action(lazy(backups, (m) => m.backup, program));
  program
    .command('restore')
    .description('从 govmon backup 的备份恢复数据库到 --db / restore a backup into the --db file')
    .argument('<dir>', '备份文件夹 / backup folder')
    .option('--force', '目标数据库已有数据时也替换 / replace a target database that holds data')
    .action(lazy(backups, (m) => m.restore, program));

  program
    .command('sample')
    .description('生成示例城市（云川市）的输入文件及预期结果 / write the sample city and its planted expectations')
    .option('--out <dir>', '输出文件夹 / output folder')
    .option(
      '--end-month <YYYY-MM>',
      '最后一个完整月份（默认：上海时间上一个完整月）/ last full month (default: the last full month in Asia/Shanghai)',
    )
    .option('--seed <n>', '随机种子 / seed (default 20251001)')
    .option('--systems <n>', '系统数量 / number of systems (default 400)')
    .action(
      lazy(
        () => import('./commands/sample.ts'),
        (m) => m.sample,
        program,
      ),
    );

  const province = () => import('./commands/province.ts');
  program
    .command('publish')
    .description('发布一个月的结果供省级汇总（Hive 分区 Parquet + 清单）/ publish a month as Hive-partitioned Parquet with a manifest')
    .option('--month <YYYY-MM>', '月份（须已运行）/ month (already run)')
    .option('--out <dir>', '发布文件夹，如共享目录 / the published tree')
    .option('--city <code>', '城市代码（默认取 govmon.config.json 的 city_code）/ city code')
    .action(lazy(province, (m) => m.publish, program));
  program
    .command('rollup')
    .description(
      '省级汇总：校验各市发布清单并读入省级数据库，生成省级概览页 / verify the cities’ published trees, build the province database and page',
    )
    .argument('<dirs...>', '各市的发布文件夹 / published trees')
    .option('--out <dir>', '省级概览页文件夹，默认为数据库旁的 province/ / province page folder')
    .action(lazy(province, (m) => m.rollup, program));

  program
    .command('demo')
    .description('演示：生成示例城市、导入、逐月运行、年度评价、生成看板 / the demo: sample city → dashboard')
    .option('--end-month <YYYY-MM>', '示例数据的最后一个月（默认为上一个完整月份）/ last month of the sample')
    .action(
      lazy(
        () => import('./commands/demo.ts'),
        (m) => m.demo,
        program,
      ),
    );

  return program;
}
