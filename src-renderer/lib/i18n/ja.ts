import type { MessageKey } from './en.ts';

/**
 * 日本語。用語は Intune の日本語ドキュメントに合わせる（Windows Autopilot デバイス、グループ タグ、
 * 展開プロファイル、ハードウェア ハッシュ、テナント、サインイン、割り当てられたユーザー）。
 */
export const ja: Record<MessageKey, string> = {
  'app.title': 'Autopilot Station',
  'app.loading': 'ステーションを起動しています…',
  'app.error': 'ステーションを起動できませんでした: {message}',
  'banner.training':
    'トレーニング モード: デバイスは Intune ではなく、組み込みのシミュレーション テナントに送られます。ここでの操作は Microsoft には届きません。',
  'banner.tenant': 'テナント: {tenantId} ({cloud})',
  'info.version': 'バージョン',
  'info.mode': 'モード',
  'info.mode.training': 'トレーニング',
  'info.mode.tenant': 'テナント',
  'info.host': '実行形態',
  'info.host.electron': 'デスクトップ アプリ',
  'info.host.browser': 'ブラウザー モード',
  'info.platform': 'プラットフォーム',
  'info.station': 'ステーション名',
  'language.label': '言語',

  'nav.label': '画面',
  'nav.capture': 'キャプチャ',
  'nav.import': 'ファイルのインポート',
  'nav.queue': 'キュー',
  'nav.settings': 'サインインと設定',
  'theme.label': 'テーマ',
  'theme.system': 'システム',
  'theme.light': 'ライト',
  'theme.dark': 'ダーク',
  'counts.label': 'キューの件数',
  'counts.ready': '展開可能',
  'counts.waiting': '待機中',
  'counts.failed': '失敗',
  'common.close': '閉じる',
  'common.cancel': 'キャンセル',
  'common.apply': '適用',
  'common.yes': 'はい',
  'common.no': 'いいえ',
  'common.none': '—',
  'common.notAvailable': 'ステーションのこの機能はまだ準備できていません ({code})。',

  'shortcuts.open': 'キーボード ショートカット',
  'shortcuts.title': 'キーボード ショートカット',
  'shortcuts.screens': 'キャプチャ、インポート、キュー、設定に移動',
  'shortcuts.queueDevice': 'キャプチャ画面のデバイスをキューに追加',
  'shortcuts.scanner':
    'ラベルをスキャン: カーソルのある欄にそのまま入ります。欄にカーソルがなければシリアル番号欄に入ります',
  'shortcuts.search': 'シリアル番号でキューを検索',
  'shortcuts.rows': 'キューの行を移動',
  'shortcuts.select': '行を選択または選択解除',
  'shortcuts.selectAll': '表示中の行をすべて選択',
  'shortcuts.detail': 'デバイスを開く',
  'shortcuts.escape': '開いているパネルを閉じる',
  'shortcuts.help': 'この一覧を表示',

  'capture.title': 'このデバイスをキャプチャ',
  'capture.intro':
    'このコンピューターを読み取り、シリアル番号をスキャンまたは入力し、ハッシュ ファイルを追加してからキューに追加します。',
  'capture.read': 'このデバイスを読み取る',
  'capture.reading': 'このデバイスを読み取っています…',
  'capture.serial': 'シリアル番号',
  'capture.serialHelp': 'ここか欄の外でシリアル ラベルをスキャンし、Tab か Enter でハッシュ ファイルへ進みます。',
  'capture.serialNeeded':
    'このコンピューターは使用できるシリアル番号を報告していません。ラベルをスキャンするか入力してください。',
  'capture.serialSource': '読み取り元: {source}',
  'capture.serialSource.system': 'システム',
  'capture.serialSource.bios': 'BIOS',
  'capture.serialSource.chassis': 'シャーシ',
  'capture.serialSource.typed': '入力またはスキャン',
  'capture.serialProblem.placeholder': 'ファームウェアが報告した "{raw}" は実際のシリアル番号ではありません。',
  'capture.serialProblem.virtual-machine': 'これは仮想マシンです ("{raw}")。',
  'capture.serialProblem.missing': 'ファームウェアがシリアル番号を報告していません。',
  'capture.scanned': 'シリアル番号 {serial} をスキャンしました',
  'capture.hashFile': 'ハードウェア ハッシュ ファイル (OA3.xml または CSV)',
  'capture.hashPath': 'ハッシュ ファイルのパス',
  'capture.hashPathHelp': '前回使用したフォルダー: {folder}',
  'capture.loadPath': 'ファイルを読み取る',
  'capture.pick': 'ファイルを選択…',
  'capture.dropFolder': 'ドロップ フォルダーを読み取る',
  'capture.device': 'デバイス',
  'capture.manufacturer': '製造元',
  'capture.model': 'モデル',
  'capture.noHash': 'ハッシュ ファイルはまだありません。',
  'capture.findings': '検出事項',
  'capture.noFindings': '問題は見つかりませんでした。',
  'capture.assignedUser': '割り当てられたユーザー (省略可)',
  'capture.queue': 'このデバイスをキューに追加',
  'capture.queueHint': 'Ctrl+Enter',
  'capture.queued': '{serial} をキューに追加しました。',
  'capture.duplicate': '{serial} は同じハッシュで既にキューにあるため、追加しませんでした。',
  'capture.invalidQueued':
    '{serial} は無効としてキューに保存されました。検出事項を修正してから、もう一度キャプチャしてください。',
  'capture.notReady': '先にシリアル番号とハッシュ ファイルを追加してください。',
  'capture.fileErrors': 'ファイルを読み取れませんでした:',

  'severity.error': 'エラー',
  'severity.warning': '警告',
  'severity.info': '情報',
  'code.HASH_EMPTY': 'ハードウェア ハッシュが空です。ハッシュをもう一度取得してください。',
  'code.HASH_NOT_BASE64':
    'ハードウェア ハッシュが base64 のテキストではありません。ファイルが壊れている可能性があります。ハッシュをもう一度取得してください。',
  'code.HASH_PADDING_FIXED':
    'ハッシュに base64 のパディングがなかったため、Intune の要件に従ってステーションが追加しました。',
  'code.HASH_BAD_MAGIC': 'Windows のハードウェア ハッシュではありません。正しいファイルを選択したか確認してください。',
  'code.HASH_TRUNCATED': 'ハードウェア ハッシュが途中で切れています。ハッシュをもう一度取得してください。',
  'code.HASH_BAD_RECORD': 'ハードウェア ハッシュに壊れたレコードがあります。ハッシュをもう一度取得してください。',
  'code.HASH_NO_TRAILER':
    'ハードウェア ハッシュにチェックサム ブロックがありません。ハッシュをもう一度取得してください。',
  'code.HASH_CHECKSUM_MISMATCH':
    'ハッシュのチェックサムが一致しません。ファイルが変更されたか壊れています。ハッシュをもう一度取得してください。',
  'code.HASH_TRAILING_DATA': 'ハッシュの末尾に余分なデータがあります。通常は問題ありません。',
  'code.HASH_NO_SERIAL':
    'ハッシュにシリアル番号が含まれていません。Intune で拒否されます (802)。ファームウェアのシリアル番号を修正してから、もう一度キャプチャしてください。',
  'code.HASH_NO_MANUFACTURER':
    'ハッシュに製造元が含まれていません。Intune で拒否されます (802)。ファームウェアを修正してから、もう一度キャプチャしてください。',
  'code.SERIAL_MISMATCH':
    'ハッシュ内のシリアル番号[ ({hashSerial})]がデバイスのシリアル番号[ ({serial})]と異なります。このデバイスのハッシュか確認してください。',
  'code.SERIAL_PLACEHOLDER':
    '実際のシリアル番号ではありません。シリアル ラベルをスキャンするか、シリアル番号を入力してください。',
  'code.SERIAL_MISSING':
    'デバイスにシリアル番号がありません。シリアル ラベルをスキャンするか、シリアル番号を入力してください。',

  'import.title': 'ファイルのインポート',
  'import.intro':
    'CSV ファイル (Get-WindowsAutopilotInfo) または OA3.xml ファイルをドロップするか選択します。正しい行はキューに追加され、問題のある行は行番号付きで一覧表示されます。',
  'import.drop': 'ここに CSV または XML ファイルをドロップ',
  'import.pick': 'ファイルを選択…',
  'import.pickFolder': 'フォルダーを選択…',
  'import.sent': '{count} 台をキューに追加済み',
  'import.reading': '{count} 個のファイルを読み取っています…',
  'import.file': 'ファイル',
  'import.summary': '正常 {good} 件、問題あり {bad} 件',
  'import.line': '{line} 行目',
  'import.result': '結果',
  'import.row': '行',
  'import.reason': '理由',
  'import.fixTagInFile': 'ファイルでこの行のグループ タグを修正してから、ファイルを読み直してください。',
  'import.fixUserInFile': 'ファイルでこの行の割り当てユーザーを修正してから、ファイルを読み直してください。',
  'import.queueGood': '正常な {count} 台のデバイスをキューに追加',
  'import.queued':
    '{queued} 台をキューに追加、{duplicates} 台は既にキューにあり、{invalid} 台は無効として保存しました。',
  'import.clear': '一覧をクリア',
  'import.none': 'ファイルはまだありません。',
  'import.tooBig': '{name} は 10 MB を超えているためスキップしました。',
  'import.goodRows': '正常なデバイス',
  'import.badRows': '問題のある行',

  'queue.title': 'キュー',
  'queue.search': 'シリアル番号で検索',
  'queue.filter': '表示',
  'queue.filter.all': 'すべての状態',
  'queue.filter.ready': '展開可能',
  'queue.filter.waiting': '待機中',
  'queue.filter.failed': '失敗',
  'queue.shown': '{total} 台中 {shown} 台を表示',
  'queue.empty': '一致するデバイスはありません。',
  'queue.loading': 'キューを読み込んでいます…',
  'queue.selected': '{count} 台を選択中',
  'queue.selectAll': '表示中をすべて選択',
  'queue.clearSelection': '選択を解除',
  'queue.retry': '再試行',
  'queue.remove': '削除',
  'queue.changeTag': 'グループ タグを変更',
  'queue.exportIntune': 'Intune 用 CSV をエクスポート',
  'queue.exportReport': 'レポートをエクスポート',
  'queue.exported': '{name} を保存しました ({rows} 行)。',
  'queue.affected': '{count} 台のデバイスを更新しました。',
  'queue.notShown.one': '(うち {count} 台は現在の検索またはフィルターで表示されていません)',
  'queue.notShown.other': '(うち {count} 台は現在の検索またはフィルターで表示されていません)',
  'queue.andMore.one': 'ほか {count} 台',
  'queue.andMore.other': 'ほか {count} 台',
  'queue.removeConfirm': '{count} 台のデバイスをキューから削除しますか? 登録済みのデバイスは Intune に残ります。',
  'queue.table': 'キュー内のデバイス',
  'queue.due': '期限 {time}',
  'queue.overdue': '期限切れ',
  'queue.selectRow': '{serial} を選択',
  'col.serial': 'シリアル番号',
  'col.model': 'モデル',
  'col.groupTag': 'グループ タグ',
  'col.user': '割り当てられたユーザー',
  'col.state': '状態',
  'col.deadline': '期限',
  'col.error': 'エラーと対処方法',

  'state.captured': 'キャプチャ済み',
  'state.invalid': '無効',
  'state.queued': 'キュー登録済み',
  'state.importing': 'インポート中',
  'state.imported': 'インポート済み',
  'state.registered': '登録済み',
  'state.assigned': '展開準備完了',
  'state.already-registered': '登録済み (既存)',
  'state.failed': '失敗',
  'state.timed-out': 'タイムアウト',
  'state.progress': 'ステップ {step}/{steps}',

  'error.801': 'レコードの形式が正しくないため拒否されました。デバイスをもう一度キャプチャしてください。',
  'error.802':
    'ハードウェア ハッシュの形式が正しくないか、製造元またはシリアル番号がありません。ハッシュをもう一度取得してください。',
  'error.803': 'レコードにシリアル番号もプロダクト キーもありません。デバイスをもう一度キャプチャしてください。',
  'error.806': 'このテナントに既に登録されています。完了として扱い、グループ タグを合わせます。',
  'error.807': 'デバイスが登録されていません。インポートを再試行してください。',
  'error.808':
    '別のテナントに登録済みです。作業を止め、以前の所有者か販売店に登録解除を依頼してください。解除されたら「再登録」を選んでください。ハッシュはキューでチェックして「Intune 用 CSV をエクスポート」で渡せます。',
  'error.809':
    '展開プロファイルが別のテナントに属しています。作業を止めてください。以前の所有者が解除する必要があります。',
  'error.810':
    '別のテナントが所有しています。作業を止めてください。以前の所有者または販売店が登録を解除する必要があります。解除されたら「再登録」を選んでください。',
  'error.811': '登録が別のテナントに属しています。作業を止めてください。以前の所有者が解除する必要があります。',
  'error.812':
    'このプロダクト キーのハードウェア ハッシュが登録されていません。完全なハッシュを取得して、もう一度インポートしてください。',
  'error.813': 'このデバイスに一致するレコードが複数あります。Intune で重複を削除してから再試行してください。',
  'error.814': 'デバイスは既に Microsoft Entra ID に登録されています。Intune でデバイスのレコードを確認してください。',
  'error.ZtdDeviceDuplicated': '同じハッシュが 1 つのバッチに 2 回含まれていました。重複を削除して再試行してください。',
  'error.StorageError': 'サービス側で一時的なストレージの問題が発生しました。しばらくしてから再試行してください。',
  'code.Timeout':
    'Intune の処理が時間内に終わりませんでした。再試行してください。繰り返す場合は管理センターでサービスの正常性を確認してください。',
  'code.ProfileAssignmentFailed':
    'Intune が展開プロファイルを割り当てられませんでした。このグループ タグのプロファイルとグループを確認してから再試行してください。',
  'error.unknown':
    '不明なエラーです。コードと名前を控えて再試行してください。繰り返し発生する場合はサポートに連絡してください。',
  'error.label': 'エラー {code} {name}',

  'detail.title': 'デバイス {serial}',
  'detail.summary': '概要',
  'detail.events': '履歴',
  'detail.at': '日時',
  'detail.change': '変化',
  'detail.sameState': '{state} (変化なし)',
  'detail.message': '内容',
  'detail.requestIds': 'Graph の要求 ID',
  'detail.noEvents': '履歴はまだありません。',
  'detail.hash': 'ハードウェア ハッシュ',
  'detail.hashValid': '有効',
  'detail.checksum': 'チェックサム一致',
  'detail.padded': 'パディングあり',
  'detail.length': '長さ (base64 文字数)',
  'detail.macs': 'MAC アドレス',
  'detail.tpm': 'TPM 保証キー',
  'detail.uuid': 'SMBIOS UUID',
  'detail.pkid': 'プロダクト キー ID',
  'detail.productKey': 'Windows 製品 ID',
  'detail.importId': 'インポート ID',
  'detail.registrationId': 'Windows Autopilot デバイス ID',
  'detail.profile': '展開プロファイルの状態',
  'detail.source': '取得元',
  'detail.capturedAt': 'キャプチャ日時',
  'detail.stateSince': 'この状態になった日時',
  'detail.actions': '操作',
  'detail.reregister': '再登録',
  'detail.loading': 'デバイスを読み込んでいます…',
  'source.this-device': 'このデバイス',
  'source.file': 'ファイル',
  'source.drop-folder': 'ドロップ フォルダー',
  'source.typed': '入力',

  'groupTag.label': 'グループ タグ',
  'groupTag.help':
    '日本語を含むあらゆる言語の文字、数字、スペース、記号を使用できます。ただしコンマと二重引用符は使えず、先頭に = + - @ は使えません (512 文字まで)。',
  'groupTag.tenant': 'テナントで使用中',
  'groupTag.recent': '最近使用したもの',
  'groupTag.makeDefault': 'このセッションで使用',
  'groupTag.default': 'セッションの既定値: {tag}',
  'groupTag.noDefault': 'セッションの既定値なし',

  'settings.title': '設定',
  'settings.tenantId': 'テナント ID',
  'settings.clientId': 'アプリケーション (クライアント) ID',
  'settings.cloud': 'クラウド',
  'settings.apiVersion': 'Graph API のバージョン',
  'settings.authMode': 'サインイン方法',
  'settings.certificatePath': '証明書ファイル',
  'settings.defaultGroupTag': '既定のグループ タグ',
  'settings.batchSize': 'インポート バッチあたりのデバイス数 (1～500)',
  'settings.dropFolder': 'ドロップ フォルダー',
  'settings.waitFor': '各デバイスを追跡する範囲',
  'settings.locked': '管理者によってロックされています。変更は管理者に依頼してください',
  'settings.save': '設定を保存',
  'settings.saved': '設定を保存しました。',
  'support.title': 'サポート',
  'support.help':
    'ログとキューを zip にまとめて保存します。管理者または Microsoft サポートに渡してください。トークン、シークレット、ハードウェア ハッシュ全体は含まれません。',
  'support.save': '診断情報を保存',
  'support.savedTo': '診断情報を {path} に保存しました。',
  'support.downloaded': '診断情報を {name} としてダウンロードしました。',
  'settings.loading': '設定を読み込んでいます…',
  'cloud.global': 'グローバル (商用)',
  'cloud.usgov': '米国政府 (GCC High)',
  'cloud.usgovdod': '米国政府 (DoD)',
  'cloud.china': '中国 (21Vianet)',
  'waitFor.imported': 'インポート済みになるまで',
  'waitFor.registered': 'Windows Autopilot デバイスとして登録されるまで',
  'waitFor.assigned': '展開プロファイルが割り当て済みになるまで',
  'authMode.browser': 'ブラウザーでサインイン',
  'authMode.device-code': 'デバイス コード (別のデバイスでサインイン)',
  'authMode.certificate': '証明書 (アプリのみ)',

  'auth.title': 'サインイン',
  'auth.state.training': 'トレーニング モード: サインインは不要です。',
  'auth.state.signed-out': 'サインインしていません。',
  'auth.state.signing-in': 'サインインしています…',
  'auth.state.signed-in': 'サインイン済みです。',
  'auth.state.error': 'サインインに失敗しました。',
  'auth.signedInAs': '{user} としてサインイン中 (テナント {tenant})',
  'auth.signIn': 'サインイン',
  'auth.signOut': 'サインアウト',
  'auth.deviceCodeTitle': 'デバイス コード',
  'auth.deviceCodeHelp': 'スマートフォンまたは別のコンピューターで {uri} を開き、次のコードを入力してください:',
  'auth.expires': 'このコードの有効期限は {time} です。',

  'notify.title': 'Autopilot Station',
  'notify.batchFinished': 'バッチが完了しました: {message}',
  'notify.attention': '対応が必要なデバイスがあります: {message}',
  'notify.dismiss': '閉じる',
  'notify.batchDoneOne': 'バッチが完了しました: 1 台を処理しました。',
  'notify.batchDone': 'バッチが完了しました: {count} 台を処理しました。',
  'notify.deviceError': '{serial} は対応が必要です: {advice}',
  'code.ImportRecordLost':
    'Intune がこのデバイスのインポート レコードを 2 回失い、デバイスは登録されていません。後で再試行してください。繰り返す場合はリクエスト ID を管理者に送ってください。',
  'flag.group-tag-unconfirmed':
    'グループ タグを変更しましたが、新しいタグが時間内に Intune に表示されませんでした。管理センターで確認してください。',
  'flag.group-tag-unchecked':
    'このテナントに登録済みですが、グループ タグを確認するためのデバイスが見つかりませんでした。管理センターで確認してください。',
  // Real tenants and the remote simulated tenant: codes worded from their params.
  'code.GRAPH_PAGING_LOOP':
    'Microsoft Graph が読み込み済みのページを繰り返し返したため、[{pages} ページで]一覧の取得を止めました。ステーションは後で再試行します。続く場合はリクエスト ID をサポートに送ってください。',
  'code.REMOTE_TENANT_URL_INVALID':
    '"{url}" はシミュレートされたテナントの https:// アドレスではありません。講師の "autopilot-station sim" が表示したアドレス (例: https://trainer-pc:8443) をコピーしてください。',
  'code.REMOTE_TENANT_NOT_SHARED':
    '{url} のシミュレートされたテナントは接続情報を共有していません。講師のコンピューターで "autopilot-station sim" を起動してください。',
  'code.REMOTE_TENANT_CA_UNTRUSTED':
    '{url} のシミュレートされたテナントの証明書は、指定した CA ファイルで検証できません ({reason})。そのシミュレーターが書き出した sim-ca.pem と、起動時のホスト名を使ってください。TLS を検査するプロキシの内側では、そのプロキシのルート証明書を使ってください。',
  'code.REMOTE_TENANT_UNREACHABLE':
    '{url} のシミュレートされたテナントに接続できません ({reason})。起動しているか、ネットワークで待ち受けているか、ファイアウォールでポートが開いているかを確認してください。',
  'code.REMOTE_TENANT_ADDRESS_MISMATCH':
    '{url} のシミュレートされたテナントは自分を {expected} と名乗っています。テナント URL に {expected} を指定してください。',
  'code.REMOTE_TENANT_CA_UNREADABLE':
    'CA ファイル {path} を読めないか、PEM 証明書ではありません。シミュレーターの sim-ca.pem をこのコンピューターにコピーして、そのパスを指定してください。',
  'code.RETRY_ALREADY_QUEUED': 'すでにキューで送信を待っています。再試行することはありません。',
  'code.RETRY_IMPORTING': 'インポート中です。[{minutes} 分後も]インポート中なら、再試行でテナントにすぐ確認します。',
  'code.RETRY_WAITING':
    'Intune にあります。登録またはプロファイルの割り当てを待っています。再試行することはありません。',
  'code.RETRY_ALREADY_DONE': 'すでに登録済みです。再試行することはありません。',
  'code.RETRY_OWNED_ELSEWHERE':
    '別のテナントに登録されています[ (エラー {errorCode})]。以前の所有者または販売店が登録を解除するまで、再試行しても解決しません。',
  'code.RETRY_STILL_INVALID':
    '有効ではありません[ ({finding})]。同じシリアル番号とハッシュをもう一度確認しても結果は変わりません。デバイスでハッシュを取得し直すか (またはファイルを修正してもう一度インポートし)、このデバイスは削除してください。',
  'code.ACTION_SAME_HASH_REFUSED':
    'Intune がこのデバイスのハッシュを拒否しました[ (エラー {errorCode})][ ({errorName})]。同じハッシュをもう一度送っても結果は変わりません。デバイスでハッシュを取得し直すか (またはファイルを差し替えて)、キューに追加してから、このデバイスを削除してください。',
  'code.REREGISTER_NOT_SENT': 'まだ送信していません。「再登録」は送信済みのデバイス用です。',
  'code.ACTION_IN_FLIGHT': '現在インポート中です。結果を待ってください。',
  'code.ACTION_DEVICE_GONE': 'キューにありません。',
  'code.MOVE_ALREADY_SENT': 'すでにこのテナントに送信済みのため、移動できません。',
  'code.MOVE_ALREADY_THERE': '移動先のキューにすでにこのデバイスがあります。',
  'code.MOVE_NOT_FOUND': 'キューにありません。',
  'code.MOVE_UNKNOWN_TENANT': 'そのテナント[ ({tenant})] のキューがありません。先にそのテナントを一度使ってください。',
  'code.MOVE_SAME_TENANT': 'これらのデバイスはすでにこのテナントのキューにあります。',
  'code.AUTH_SIGN_IN_TIMEOUT': 'サインインが時間内に完了しませんでした。もう一度サインインしてください。',
  'code.TENANT_CHANGED': 'テナントが変更されました。新しいテナントのキューに切り替わります。',
  'action.checking': 'インポート中の {count} 台についてテナントに今すぐ確認しました。',
  'action.skipped': '{count} 台は変更されませんでした:',
  'station.stopped':
    'ステーションが応答していません。再開すると、このページは自動的に再接続します。ステーションを再起動してもこのままの場合は、ステーションが表示したアドレスを開いてください。',
  'station.newAddress':
    'ステーションが再起動しました。起動するたびにセッションが新しくなります。ステーションのウィンドウまたはターミナルに表示されたアドレスをこのブラウザーで開いてください。このページは自動的に再接続します。',
  'station.back': 'ステーションに再接続しました。',
  'auth.cancel': 'サインインをキャンセル',
  'queue.retry.help':
    '再試行: 失敗またはタイムアウトしたデバイスを再送信します。インポート済みのデバイスは二重に送信せず、もう一度待ちます。',
  'code.REREGISTER_ASK_OTHER_TENANT':
    'このデバイスは別のテナントに登録されています。以前の所有者または販売店が登録を解除した後でのみ再登録してください。それまでは Intune がもう一度拒否します (808)。もう一度送信しますか?',
  'code.REREGISTER_ASK_REGISTERED':
    'このデバイスはこのテナントの Autopilot に既にあります。Intune で削除していなければ 806 が返されます。もう一度送信しますか?',
  'detail.reregister.help':
    '再登録: 送信済みのデバイスを新しいインポートとしてもう一度送信します (Intune で削除した後など)。',
  'tenants.move': '別のテナントへ移動…',
  'tenants.moveConfirm.one':
    '未送信の {count} 台を {tenant} のキューへ移動しますか? このテナントのキューからは外れます。',
  'tenants.moveConfirm.other':
    '未送信の {count} 台を {tenant} のキューへ移動しますか? このテナントのキューからは外れます。',
  'tenants.moveStay.one': '選択した {count} 台はこのテナントに送信済みのため、ここに残ります。',
  'tenants.moveStay.other': '選択した {count} 台はこのテナントに送信済みのため、ここに残ります。',
  'tenants.moveNone': '選択したデバイスは移動できません。このテナントに送信済みで、その履歴はこのテナントに残ります。',
  'tenants.moved.one': '{count} 台を {tenant} へ移動しました。',
  'tenants.moved.other': '{count} 台を {tenant} へ移動しました。',
  'tenants.training': 'トレーニング',

  // The files technicians bring (codes with their params)
  'code.CSV_PKID_ONLY':
    'この行には Windows プロダクト ID (PKID) がありますが、ハードウェア ハッシュがありません。Intune のインポートにはハッシュが必要です (PKID での登録は Partner Center でのみ可能)。Get-WindowsAutopilotInfo または OA3Tool でハッシュを取得してください。',
  'code.CSV_TUPLE_ONLY':
    'この行には製造元、モデル、シリアル番号がありますが、ハードウェア ハッシュがありません。Intune のインポートにはハッシュが必要です (この組み合わせでの登録は Partner Center でのみ可能)。Get-WindowsAutopilotInfo または OA3Tool でハッシュを取得してください。',
  'code.CSV_NO_HASH':
    'この行にはハードウェア ハッシュがありません。Get-WindowsAutopilotInfo が管理者として実行されなかった可能性があります。管理者としてもう一度実行してください。',
  'code.CSV_FORMULA':
    'この行の値が = + - @ で始まっており、スプレッドシートで数式として実行されます。この行は拒否されました。',
  'code.FILE_OTHER_EXPORT':
    'このファイルはステーションが読み取れるハッシュ ファイルではありません。Get-WindowsAutopilotInfo または OA3Tool でハッシュを取得するか、ConfigMgr の Autopilot レポートを CSV でエクスポートしてください。',
  'code.FILE_OTHER_EXPORT.configmgr-report':
    'デバイスの行がない ConfigMgr「Windows Autopilot デバイス情報」レポートです。デバイスを含むコレクションでレポートを実行し、もう一度 CSV でエクスポートしてください。',
  'code.FILE_OTHER_EXPORT.configmgr-report-xml':
    'XML でエクスポートされた ConfigMgr「Windows Autopilot デバイス情報」レポートです。「CSV (コンマ区切り)」でもう一度エクスポートしてください。',
  'code.FILE_OTHER_EXPORT.intune-autopilot-export':
    'Intune 管理センターから登録済み Autopilot デバイスをエクスポートしたファイルです。ハードウェア ハッシュが含まれていません。各デバイスでハッシュを取得してください (Get-WindowsAutopilotInfo または OA3Tool)。',
  'code.FILE_OTHER_EXPORT.intune-devices-export':
    'Intune の管理対象デバイスのエクスポートです。ハードウェア ハッシュが含まれていません。各デバイスでハッシュを取得してください (Get-WindowsAutopilotInfo または OA3Tool)。',
  'code.FILE_OTHER_EXPORT.corporate-identifiers':
    '企業デバイス ID (製造元、モデル、シリアル番号) の一覧で、Autopilot 用ではありません。ハードウェア ハッシュが含まれていません。各デバイスでハッシュを取得してください。',
  'code.FILE_OTHER_EXPORT.serial-list':
    'ハードウェア ハッシュのないシリアル番号の一覧です。Autopilot には各デバイスのハッシュが必要です。Get-WindowsAutopilotInfo または OA3Tool で取得してください。',
  'code.FILE_OTHER_EXPORT.web-page':
    'Web ページ (HTML または MHTML) です。ブラウザーから保存したレポートかもしれません。レポートを CSV でエクスポートするか、OEM ツールが書き出したファイルを選択してください。',
  'code.FILE_BINARY.excel-workbook':
    'CSV ではなく Excel ブック (.xlsx) です。Excel の「名前を付けて保存」→「CSV (コンマ区切り)」で保存してください (ConfigMgr レポートの場合は CSV でエクスポート)。',
  'code.FILE_BINARY.office-document':
    'CSV ではなく古い Excel (.xls) または Word の文書です。先に「CSV (コンマ区切り)」で保存してください。',
  'code.FILE_BINARY.pdf':
    'ハッシュ ファイルではなく PDF (印刷したレポート?) です。レポートを CSV でエクスポートするか、OEM ツールが書き出した OA3.xml または CSV を選択してください。',
  'code.SERIAL_SPREADSHEET_DAMAGE':
    'シリアル番号[ "{serial}"] は、ハッシュのシリアル番号[ "{hashSerial}"] がスプレッドシートで変わったものです (Excel で開いて保存されました)。ハッシュのシリアル番号を使ってください。',
  'code.SERIAL_WIDTH_FOLDED':
    'シリアル番号[ "{typed}"] は全角文字で入力されていたため、ラベルと同じ半角の[ "{serial}"] として読み取りました。',
  'code.SERIAL_NOT_ON_LABEL':
    'シリアル番号[ "{serial}"] に、シリアル ラベルにない文字が含まれています。[ハッシュ内のシリアル番号は "{hashSerial}" です。ハッシュのシリアル番号を使うか、ラベルをスキャンしてください。]',
  'code.SERIAL_VIRTUAL_MACHINE': '仮想マシンです。固有のシリアル番号[ "{serial}"] を報告どおりに登録します。',
  'code.VALUE_FORMULA':
    'この値は = + - @、タブまたは改行で始まっており、スプレッドシートで数式として実行されます。シリアル番号やユーザー名ではありません。ラベルをスキャンするか、もう一度入力してください。',
  'code.LICENCE_KEY_DROPPED':
    'Windows のライセンス キー (25 文字) が見つかったため破棄しました。ライセンス キーは保存も送信もしません。代わりにプロダクト キー ID (PKID) を使います。',
  'code.MANUFACTURER_MISMATCH':
    'ファイルの製造元[ ("{file}")] がハッシュの製造元[ ("{hash}")] と異なります。この行がこのハッシュのものか確認してください。',
  'code.MODEL_MISMATCH':
    'ファイルのモデル[ ("{file}")] がハッシュのモデル[ ("{hash}")] と異なります。この行がこのハッシュのものか確認してください。',
  'code.EXPORT_FIELD_NOT_ANSI':
    'デバイス[ ({count} 台)] のグループ タグまたはユーザー[ ({value})] は Intune 用 CSV に書けない文字を含むため、CSV を書き出しませんでした (タグが変わらないように)。ステーションから直接インポートするか、ほかのデバイスだけを選んでエクスポートしてください。',
  'code.EXPORT_FORMULA_FIELD':
    'デバイス[ ({count} 台)] のシリアル番号、タグ、またはユーザーが = + - @ で始まっているため、Intune 用 CSV を書き出しませんでした。キューから削除し、もう一度キャプチャしてからエクスポートしてください。',
  'code.PRODUCT_KEY_SPREADSHEET_DAMAGE':
    'スプレッドシートによって Windows プロダクト ID が数値[ "{value}"] に変わりました。代わりにハッシュ内のプロダクト キー ID を使います (ない場合は省略します。ハッシュだけで登録できます)。',
  'import.ownTags': '{count} 行に独自のグループ タグがあります',
  'import.ownUsers': '{count} 行に独自の割り当てユーザーがあります',
  'import.overrideTag': 'すべての行にこのタグを使う (ファイルのタグを置き換える)',
  'import.useHashSerial': 'ハッシュのシリアル番号を使う ({serial})',
  'import.alsoIn': '{file}[ ({line} 行目)] と同じデバイスです。1 回だけ送信します。',
  'import.duplicateOf': '{line} 行目と同じデバイスです。1 回だけ読み取りました。',
  'import.duplicates': '繰り返された {count} 行は 1 回だけ読み取りました',
  'import.flaggedKept': '確認のために保存 (キュー内のデバイスと同じシリアル番号で、ハッシュが異なる): {count} 台。',
  'import.refusedKept': '拒否された {count} 行を無効としてキューに保存しました。',
  'import.nothingToQueue':
    'これらのファイルにはキューに追加できるデバイスがありません。理由は下の各行に表示しています。ファイルを修正してから、もう一度選択してください。',
  // The connection check and sign-in advice by code
  'check.title': '接続の確認',
  'check.help':
    'テナントを一切変更せずに、このベンチ、テナント、アプリ登録を確認します: ネットワーク、時刻、テナント、サインイン方法、アクセス許可、Intune ライセンス、ステーションが使う Graph の機能。',
  'check.run': '接続を確認',
  'check.running': '確認しています… (サインインを求められることがあります)',
  'check.summary.ok': 'インポートの準備ができています。',
  'check.summary.warning': 'インポートはできますが、警告を確認してください。',
  'check.summary.failed': '失敗した項目を直すまで、インポートは失敗します。',
  'check.status.ok': 'OK',
  'check.status.warning': '警告',
  'check.status.failed': '失敗',
  'check.status.not-checked': '未確認',
  'check.id.authority': 'サインイン サービスへの接続',
  'check.id.graph': 'Microsoft Graph への接続',
  'check.id.clock': 'ベンチの時刻',
  'check.id.tenant': 'このクラウドのテナント',
  'check.id.sign-in': 'アプリ登録とサインイン方法',
  'check.id.permission': 'Graph のアクセス許可',
  'check.id.intune': 'Intune ライセンスと読み取りアクセス',
  'check.id.features': 'Graph のオプション機能',
  'check.seen': '確認した内容: {seen}',
  'check.requests': 'サインイン サービスへ {signIn} 件、Graph へ {graph} 件 (書き込み {writes} 件) の要求。',
  'check.fallbacks': 'ステーションが使う代替手段: {fallbacks}',
  'code.CHECK_REACH_OK': '{host} は {ms} ms で応答しました (DNS、TCP、TLS)[ ({via})]。',
  'code.CHECK_DNS_FAILED': 'このベンチは {host} の名前を解決できません ({reason})。',
  'code.CHECK_DNS_FAILED.action':
    'ベンチの DNS サーバーとネットワーク接続を確認し、その名前がブロックされていないか、ベンチがプロキシを使う必要があるかをネットワーク担当者に確認してください。',
  'code.CHECK_TCP_FAILED': 'このベンチは {host}:{port} に接続できません ({reason})。',
  'code.CHECK_TCP_FAILED.action':
    'ファイアウォールが接続をブロックしています。このベンチからこのホストへの HTTPS (443) を許可するか、ベンチが使うべきプロキシを教えてもらうようネットワーク担当者に依頼してください (コマンド ラインとブラウザー モードは HTTPS_PROXY、アプリは Windows のプロキシ設定)。',
  'code.CHECK_TLS_INTERCEPTED':
    '{host} の証明書は信頼されていません ({reason})。発行者は「{issuer}」です。TLS を検査するプロキシが原因と考えられます。',
  'code.CHECK_TLS_INTERCEPTED.action':
    '{host} を TLS 検査の対象外にするようネットワーク担当者に依頼するか、プロキシのルート証明書を信頼させてください。Windows アプリは Windows の証明書ストアを信頼します (Intune またはグループ ポリシーでルート証明書を配布)。コマンド ラインとブラウザー モードは設定の CA ファイル (caFile) も信頼します。',
  'code.CHECK_TLS_FAILED': '{host} との TLS ハンドシェイクに失敗しました ({reason})。',
  'code.CHECK_TLS_FAILED.action':
    'プロキシまたはファイアウォールがこのホストへの HTTPS に干渉している可能性があります。ネットワーク担当者に確認してください。',
  'code.CHECK_PROXY_AUTH': 'プロキシ[ {proxy}] が[ {host} への]接続に資格情報を求めています[ ({reason})]。',
  'code.CHECK_PROXY_AUTH.action':
    'コマンド ラインとブラウザー モード: プロキシのアカウントをプロキシのアドレスに含めてください (HTTPS_PROXY=http://ユーザー:パスワード@プロキシ:ポート。記号はパーセント エンコード)。Windows アプリはベンチ ユーザーの Windows アカウントでプロキシにサインインします。許可するようネットワーク担当者に依頼してください。',
  'code.CHECK_PROXY_FAILED': 'プロキシ[ {proxy}] が[ {host} への]接続を開きませんでした[ ({reason})]。',
  'code.CHECK_PROXY_FAILED.action':
    'プロキシのアドレス (HTTPS_PROXY、アプリは Windows のプロキシ設定) を確認し、プロキシがこのホストを許可しているかネットワーク担当者に確認してください。プロキシを通さないホストは NO_PROXY に書きます。',
  'code.NETWORK_PROXY_INVALID':
    'プロキシの環境変数[ ({variable})] が http://proxy.contoso.com:3128 のようなプロキシの URL ではありません。',
  'code.NETWORK_PROXY_INVALID.action':
    'その変数にプロキシの http:// アドレスを設定してください (プロキシがサインインを求める場合はホストの前に ユーザー:パスワード@)。直接接続するなら削除してください。',
  'code.NETWORK_CA_FILE_UNREADABLE': 'CA ファイル[ {path}] は使えません[ ({reason})]。',
  'code.NETWORK_CA_FILE_UNREADABLE.action':
    'PEM ファイル (-----BEGIN CERTIFICATE----- で始まるもの) のパスを指定してください。たとえば TLS を検査するプロキシのルート証明書を Base-64 の .cer で書き出したものです。または設定を空にしてください。',
  'check.network.electron':
    'ネットワーク: Windows のプロキシ設定と証明書ストア。サインイン {authority}、Graph {graph}。',
  'check.network.node':
    'ネットワーク: HTTPS_PROXY / NO_PROXY のプロキシ、システムの証明書ストアと CA ファイル。サインイン {authority}、Graph {graph}。',
  'check.route.direct': '直接 (プロキシなし)',
  'check.route.proxy': 'プロキシ {proxy} 経由',
  'code.CHECK_CLOCK_OK': 'ベンチの時刻はサービスと一致しています (差 {skewS} 秒)。',
  'code.CHECK_CLOCK_SKEW':
    'ベンチの時刻が {source} と {skewS} 秒ずれています。数分ずれるとサインイン トークンが拒否されます。',
  'code.CHECK_CLOCK_SKEW.action':
    'ベンチの時刻を自動で設定するようにし (設定 > 時刻と言語 > 日付と時刻、または w32tm /resync)、タイム ゾーンを確認してください。',
  'code.CHECK_CLOCK_UNKNOWN': '時刻を返したサービスがないため、ベンチの時刻は比較していません。',
  'code.CHECK_TENANT_OK': 'テナント {tenant} はこのクラウドに存在します (ID {tenantId})。',
  'code.CHECK_TENANT_NOT_FOUND': 'テナント {tenant} は {cloud} クラウドに存在しません。',
  'code.CHECK_TENANT_NOT_FOUND.action':
    '設定のテナント ID またはドメインとクラウドを確認してください。米国政府や中国のテナントはグローバルには存在しません。',
  'code.CHECK_TENANT_OTHER_CLOUD': 'テナント {tenant} は {cloud} ではなく {otherCloud} クラウドに属しています。',
  'code.CHECK_TENANT_OTHER_CLOUD.action': '設定で {otherCloud} クラウドを選び、もう一度サインインしてください。',
  'code.CHECK_TENANT_UNREADABLE': 'テナントのサインイン メタデータを読み取れませんでした ({reason})。',
  'code.CHECK_TENANT_UNREADABLE.action':
    'このベンチとサインイン サービスの間のネットワークを確認して、もう一度確認してください。',
  'code.CHECK_SIGN_IN_OK':
    'アプリ登録はこのサインイン方法 ({method}) を受け付け、テナント {tenantId} のトークンを発行しました。',
  'code.CHECK_PERMISSION_OK': 'トークンには {permission} ({kind}) があります。',
  'code.CHECK_PERMISSION_MISSING': 'トークンに {permission} ({kind}) がありません。あるもの: {granted}。',
  'code.CHECK_PERMISSION_MISSING.action':
    '管理者がステーションのアプリ登録に {permission} を追加し (Entra 管理センター > アプリの登録 > API のアクセス許可)、「管理者の同意を与えます」を押します。委任サインインでは、Autopilot デバイスを管理できる Intune ロールも必要です。',
  'code.CHECK_PERMISSION_READ_ONLY':
    'トークンは Autopilot デバイスを読み取れますが、インポートはできません: {permission} ({kind}) がありません。',
  'code.CHECK_PERMISSION_READ_ONLY.action':
    '管理者が (読み取りだけでなく) {permission} を追加し、「管理者の同意を与えます」を押します。',
  'code.CHECK_PERMISSION_UNREADABLE':
    'トークンを読み取れなかったため、アクセス許可は確認していません。Intune の読み取り結果で判断できます。',
  'code.CHECK_INTUNE_OK': 'テナントには Intune があり、このサインインで Autopilot デバイスを読み取れます。',
  'code.CHECK_FEATURES_OK':
    'ステーションが使う Graph のオプション機能 ($select、インポート済み ID の $filter、シリアルの contains) はすべて応答します。',
  'code.CHECK_FEATURES_FALLBACK':
    'このテナントでは次のオプション機能が応答しませんでした: {failed}。ステーションは代替手段を使います。',
  'code.CHECK_FEATURES_FALLBACK.action': '対応は不要です。要求が少し増えますが、代替手段でインポートできます。',
  'code.CHECK_NOT_CHECKED': '未確認: 先に「{after}」が成功する必要があります。',
  'code.CHECK_FAILED':
    '最初のインポートの前に、このテナントの接続確認が失敗しました[ ({code})]。「サインインと設定」で「接続を確認」を押すと、失敗した手順と対処方法が表示されます。',
  'code.CHECK_FAILED.action':
    '設定を開いて「接続を確認」を押し、表示された問題を直してください。デバイスはキューで待機します。',
  'code.AUTH_NOT_MEMBER': 'このアカウントはこのテナント[ ({tenant})] のメンバーではありません。',
  'code.AUTH_NOT_MEMBER.action':
    'このテナントのアカウントでサインインするか、テナントの管理者にゲストとして招待するよう依頼してください (Entra 管理センター > ユーザー > 外部ユーザーを招待)。',
  'code.AUTH_CONDITIONAL_ACCESS':
    'テナントの条件付きアクセス ポリシーがこのサインインをブロックしました[ (AADSTS{aadsts})]。',
  'code.AUTH_CONDITIONAL_ACCESS.action':
    'デバイス コードの代わりにブラウザーでのサインインか証明書サインインを使うか、このサインイン方法をステーションに許可するよう管理者に依頼してください。',
  'code.AUTH_REDIRECT_URI':
    'アプリ登録に、ステーションのブラウザー サインイン用のリダイレクト URI がありません[ (AADSTS{aadsts})]。',
  'code.AUTH_REDIRECT_URI.action':
    'アプリ登録の [認証] ページの「モバイル アプリケーションとデスクトップ アプリケーション」に、リダイレクト URI {redirectUri} を追加するよう管理者に依頼してください。',
  'code.AUTH_PUBLIC_CLIENT':
    'アプリ登録がデスクトップ アプリからのサインインを受け付けません[ (AADSTS{aadsts})]。Web アプリとして設定されているか、パブリック クライアント フローがオフです。',
  'code.AUTH_PUBLIC_CLIENT.action':
    '{redirectUri} を (「Web」ではなく)「モバイル アプリケーションとデスクトップ アプリケーション」に登録し、「パブリック クライアント フローを許可する」を「はい」にするよう管理者に依頼してください。',
  'code.AUTH_CONSENT_MISSING':
    'アプリ登録にアクセス許可[ {permission}] が付与されていません (管理者の同意がありません)。',
  'code.AUTH_CONSENT_MISSING.action':
    '{permission} に管理者の同意を与えるよう管理者に依頼してください (Entra 管理センター > アプリの登録 > API のアクセス許可 > 管理者の同意を与えます)。',
  'code.AUTH_WRONG_TENANT':
    'このアカウントは設定のテナント[ ({expected})] ではなく、別のテナント[ ({actual})] にサインインしました。ステーションはサインアウトしました。',
  'code.AUTH_WRONG_TENANT.action':
    '{expected} のアカウント (またはゲストとして招待されたアカウント) でサインインするか、設定のテナントを直してください。',
  'code.AUTH_TENANT_REQUIRED': 'サインインにはテナント (ID または確認済みドメイン) が必要です。',
  'code.AUTH_TENANT_REQUIRED.action': '設定にテナント ID またはドメイン (contoso.onmicrosoft.com) を入力してください。',
  'code.AUTH_TENANT_NOT_FOUND': 'テナント[ {tenant}] はこのクラウド[ ({cloud})] に見つかりません。',
  'code.AUTH_TENANT_NOT_FOUND.action':
    '設定のテナント ID とクラウドを確認してください (米国政府や中国のテナントはグローバルには存在しません)。',
  'code.AUTH_APP_NOT_FOUND': 'ステーションのアプリ登録 (クライアント ID) がこのテナントにありません。',
  'code.AUTH_APP_NOT_FOUND.action':
    '設定のクライアント ID を確認するか、このテナントにアプリを登録するよう管理者に依頼してください。',
  'code.AUTH_FAILED': 'サインインに失敗しました。',
  'code.AUTH_FAILED.action': 'もう一度お試しください。続く場合は、表示されたコードを管理者に伝えてください。',
  'code.GRAPH_NO_INTUNE_LICENCE':
    'このテナントには有効な Microsoft Intune ライセンスがないため、Windows Autopilot を使えません。',
  'code.GRAPH_NO_INTUNE_LICENCE.action':
    '正しいテナントにサインインしたか確認してください。正しければ、Intune ライセンスを割り当てるよう管理者に依頼してください (Microsoft 365 管理センター > 課金 > ライセンス)。',
  'code.GRAPH_PERMISSION_MISSING':
    'アカウントまたはアプリに Microsoft Graph のアクセス許可 DeviceManagementServiceConfig.ReadWrite.All がありません。',
  'code.GRAPH_PERMISSION_MISSING.action':
    'ステーションのアプリ登録に管理者の同意付きで付与するよう (技術者のアカウントでは Intune ロールも) 管理者に依頼し、もう一度サインインしてください。',
  'check.when': '確認日時: {time}',
  // The advice catalogue by code, plurals, capture confirmations, settings validation.
  'code.unknown':
    'ステーションから「{code}」が報告されました。コードを控え、繰り返し発生する場合は管理者に伝えてください。',
  'code.HTTP':
    'ステーションから想定外の応答がありました。ページを再読み込みし、繰り返す場合はステーションを再起動してください。',
  'code.FILE_NOT_FOUND': 'ファイルが見つかりません[ ({path})]。パスを確認するか、ファイルを選び直してください。',
  'code.FILE_UNREADABLE':
    'ファイルを読み取れませんでした。他のプログラムで開かれていないか、読み取り権限があるかを確認して、もう一度お試しください。',
  'code.FILE_TOO_LARGE':
    'ハッシュ ファイルとしては大きすぎます[ ({limit} 超)]。OEM ツールが出力した CSV または OA3.xml を選んでください。',
  'code.FILE_EMPTY': 'ファイルが空です。ハッシュをもう一度取得してください。',
  'code.FILE_BINARY':
    'テキスト ファイルではありません (プログラム、画像、アーカイブのようです)。CSV または OA3.xml ファイルを選んでください。',
  'code.FILE_BAD_ENCODING':
    'ファイルの文字を読み取れません。UTF-8 または UTF-16 で保存し直すか、もう一度取得してください。',
  'code.FILE_UNKNOWN_FORMAT':
    'Autopilot の CSV でも OA3.xml でもありません。Get-WindowsAutopilotInfo または OEM ツールが出力したファイルを選んでください。',
  'code.FILE_WRONG_TYPE':
    '[{name}: ]ハッシュ ファイルではないため、読み取りませんでした。OA3Tool が出力する OA3.xml、または Get-WindowsAutopilotInfo が出力する CSV を選んでください[ (読み取れるのは {accepted} ファイルです)]。',
  'code.FILE_BAD_CONTENT': 'ファイルの内容を使用できません。もう一度取得してください。',
  'code.FILE_TOO_MANY_ROWS': '一度に読み取れる行数を超えています[ ({limit} 行)]。小さなファイルに分けてください。',
  'code.CSV_UNKNOWN_HEADER':
    '1 行目が Autopilot CSV の見出し (Device Serial Number、Windows Product ID、Hardware Hash…) ではありません。Get-WindowsAutopilotInfo が出力したファイルを選んでください。',
  'code.CSV_UNKNOWN_HEADER.other-columns':
    'ハッシュ ファイルではありません。このファイルの列は {columns} です。ハッシュ ファイルには Device Serial Number、Windows Product ID、Hardware Hash の列があります (その後に Group Tag、Assigned User が続くこともあります)。Get-WindowsAutopilotInfo または OEM ツールが出力したファイルを選んでください。',
  'code.CSV_NO_ROWS': 'CSV に見出しはありますが、デバイスの行がありません。',
  'code.CSV_WRONG_COLUMNS': 'この行の列数が見出しと合いません。手で編集せず、ファイルをもう一度出力してください。',
  'code.CSV_CONTROL_CHARACTERS': 'この行に目に見えない制御文字が含まれています。ファイルをもう一度出力してください。',
  'code.CSV_LINE_TOO_LONG':
    'この行は実際のデバイスの行より極端に長く、ファイルが壊れています。もう一度出力してください。',
  'code.CSV_BAD_QUOTES':
    'この行の引用符の対応が取れていません。表計算ソフトで編集せず、ファイルをもう一度出力してください。',
  'code.CSV_GROUP_TAG_TOO_LONG':
    'この行[ ({line} 行目)] のグループ タグが長すぎます[ ({length} 文字)]。Intune は 512 文字までです。ファイルで短くしてから、ファイルを読み直してください。',
  'code.CSV_GROUP_TAG_INVALID':
    'この行[ ({line} 行目)] のグループ タグに、コンマ、二重引用符、改行、制御文字が含まれているか、先頭が = + - @ です。Intune の CSV では扱えません。ファイルで修正してから、ファイルを読み直してください。',
  'code.CSV_BAD_VALUE':
    'この行に使用できない値があります (長すぎるか、Intune が受け付けない文字)。行を修正してファイルを読み直してください。',
  'code.GROUP_TAG_TOO_LONG': 'グループ タグは 512 文字までです。このグループ タグは長すぎます。',
  'code.GROUP_TAG_CONTROL_CHARACTER': 'グループ タグに改行、タブ、その他の制御文字は使えません。',
  'code.GROUP_TAG_FORMULA_START':
    'グループ タグの先頭に = + - @ は使えません。表計算ソフトが数式として実行してしまいます。',
  'code.GROUP_TAG_COMMA': "グループ タグにコンマ ',' は使えません。",
  'code.GROUP_TAG_DOUBLE_QUOTE': "グループ タグに二重引用符 '\"' は使えません。",
  'code.GROUP_TAG_BROKEN_TEXT':
    'グループ タグに壊れた文字 (貼り付けた絵文字や記号の片割れ) があります。入力し直してください。',
  'code.UPN_TOO_LONG': 'ユーザー名は 256 文字までです。このユーザー名は長すぎます。',
  'code.UPN_FORMULA_START':
    'ユーザー名の先頭に = + - @ は使えません。表計算ソフトが数式として実行してしまいます。先頭の文字を削除してください。',
  'code.UPN_SPACE': 'ユーザー名にスペースは使えません。',
  'code.UPN_COMMA': "ユーザー名にコンマ ',' は使えません。",
  'code.UPN_DOUBLE_QUOTE': "ユーザー名に二重引用符 '\"' は使えません。",
  'code.UPN_NO_AT': 'ユーザー名には name@contoso.com のように @ が必要ですが、このユーザー名にはありません。',
  'code.UPN_SEVERAL_AT': 'ユーザー名の @ は 1 つだけです (name@contoso.com のように)。このユーザー名には複数あります。',
  'code.UPN_NO_DOMAIN_DOT': 'ユーザー名は @contoso.com のように、ドットを含むドメインで終わる必要があります。',
  'code.XML_DTD_REFUSED':
    'XML が DTD を宣言しているため、安全のため読み取りません。OA3Tool が出力した OA3.xml を使用してください。',
  'code.XML_MALFORMED': 'XML が壊れていて読み取れません。OA3Tool をもう一度実行してください。',
  'code.XML_NO_HARDWARE_HASH':
    'XML に HardwareHash 要素がありません。ハードウェア ハッシュのレポートを有効にして OA3Tool を実行してください。',
  'code.XML_BAD_VALUE': 'XML に使用できない値があります。OA3Tool をもう一度実行してください。',
  'code.PRODUCT_KEY_ID_MISMATCH':
    'レポートのプロダクト キー ID がハッシュ内のものと異なります。別々の OA3Tool の実行結果の可能性があります。どちらもこのデバイスのものか確認してください。',
  'code.DEVICE_INVALID': 'このデバイスは無効と判定されました。開いて検出事項を確認し、もう一度取得してください。',
  'code.DROP_FOLDER_NOT_SET':
    'ドロップ フォルダーが設定されていません。設定で、OEM ツールの出力先フォルダーを指定してください。',
  'code.DROP_FOLDER_UNAVAILABLE':
    'ドロップ フォルダーを開けません。フォルダーが存在し、ネットワーク共有に接続されているか確認してください。',
  'code.BAD_PATH': 'このパスは使用できません。ファイルを選び直してください。',
  'code.GRAPH_THROTTLED':
    'Intune から送信を遅くするよう求められました。操作は不要です。ステーションが待機して自動で続行します。',
  'code.GRAPH_UNAVAILABLE':
    'Intune が現在応答していません。ステーションが自動で再試行します。長引く場合はサービス正常性を確認してください。',
  'code.GRAPH_NETWORK':
    'ステーションが Microsoft Graph に接続できません。この作業台のネットワーク、プロキシ、ファイアウォールを確認してください。',
  'code.GRAPH_NOT_JSON':
    'Microsoft Graph 以外のものが応答しました[ ({host}、{contentType})]。このネットワークのキャプティブ ポータル、プロキシ、または Web フィルターです。ブラウザーでネットワークのサインイン ページを完了するか、Graph への通信を許可するよう IT に依頼してください。ステーションは Intune が受け取った内容を確認して自動的に続行します。',
  'code.GRAPH_CLIENT_CLOSED':
    'ステーションは Microsoft Graph との通信を停止しました (制限時間に達したか終了中)。デバイスはキューに残り、次回追跡されます。',
  'code.GROUP_TAG_KEPT':
    'このテナントに別のグループ タグで登録済みです。ここでキューに入れたタグは適用していないため、デバイスの展開プロファイルは変わりません。変更するには「すべての行にこのタグを使用」(--override-group-tag) で再度インポートするか、管理センターで変更してください。',
  'code.GROUP_TAG_CHANGED':
    'このテナントに登録済みです。指示どおり、グループ タグをキューのタグに変更しました。展開プロファイルは新しいタグに従います。',
  'code.GRAPH_SIGN_IN_EXPIRED': 'サインインの有効期限が切れました。設定でもう一度サインインしてください。',
  'code.GRAPH_WRONG_CLOUD': 'テナントが選択したクラウドとは別のクラウドにあります。設定のクラウドを確認してください。',
  'code.GRAPH_NOT_FOUND': 'Intune にこのレコードがありません。インポートを再試行してください。',
  'code.GRAPH_BAD_REQUEST': 'Intune が要求を不正として拒否しました。コードを控えて管理者に伝えてください。',
  'code.GRAPH_FAILED':
    'Intune から想定外のエラーが返されました。再試行し、繰り返す場合は診断情報を保存して管理者に送ってください。',
  'code.AUTH_PERSONAL_ACCOUNT':
    '個人用 Microsoft アカウントではデバイスを登録できません。職場または学校のアカウントでサインインしてください。',
  'code.AUTH_CERTIFICATE_REJECTED':
    'テナントが証明書を拒否しました。アプリの登録にアップロードされていて、有効期限が切れていないか確認してください。',
  'code.AUTH_DEVICE_CODE_EXPIRED':
    'サインイン コードの有効期限が切れたか、拒否されました。もう一度サインインを押し、時間内に新しいコードを入力してください。',
  'code.AUTH_DECLINED': 'サインインが取り消されたか、拒否されました。サインインを押してやり直してください。',
  'code.AUTH_NETWORK':
    'ステーションはサインイン サービス[ ({authorityHost})] に[ {seconds} 秒以内に]接続できませんでした。',
  'code.AUTH_NETWORK.action':
    'このベンチのネットワーク、プロキシ、ファイアウォールを確認して、もう一度サインインしてください。',
  'code.AUTH_SERVICE_UNAVAILABLE':
    'Microsoft のサインイン サービスが応答していません。操作は不要です。1 分後にステーションが再試行します。',
  'code.AUTH_CERTIFICATE_INVALID':
    '証明書がないか、読み取れません。設定で証明書ファイル (PEM または PFX) を指定してください。',
  'code.AUTH_CLIENT_ID_REQUIRED':
    'サインインには組織のアプリ登録のクライアント ID が必要です。設定で入力してください。',
  'code.AUTH_AUTHORITY_REFUSED':
    'サインイン先のアドレスはステーションが信頼するものではありません。設定のクラウドを確認してください。',
  'code.SIGN_IN_FAILED': 'サインインに失敗しました。もう一度お試しください。',
  'code.INPUT_INVALID': '値が無効として拒否されました。入力した値を確認して、もう一度お試しください。',
  'code.INPUT_NOT_JSON': 'ステーションが要求を読み取れませんでした。ページを再読み込みしてください。',
  'code.CALL_UNKNOWN': 'この画面とステーションのバージョンが異なります。ステーションを再起動してください。',
  'code.NOT_AVAILABLE': 'ステーションのこの機能はまだ利用できません。',
  'code.INTERNAL': 'ステーションで予期しない問題が発生しました。設定で診断情報を保存し、管理者に送ってください。',
  'code.SENDER_REFUSED': '不明なウィンドウからの要求を拒否しました。ステーションを再起動してください。',
  'code.ORIGIN_REFUSED':
    'ステーションは自身が開いたページにのみ応答します。ステーションが表示したアドレスを開いてください。',
  'code.HOST_REFUSED':
    'ステーションは自身が開いたページにのみ応答します。ステーションが表示したアドレスを開いてください。',
  'code.HOST_NOT_LOOPBACK':
    'ステーションはこのコンピューター上でのみ応答します。ステーションが表示したアドレスを開いてください。',
  'code.SESSION_TOKEN_MISSING':
    'このページには、今回起動したステーションのセッションがありません (ステーションが再起動した可能性があります)。ステーションが表示したアドレスを開いてください。',
  'code.BODY_TOO_LARGE': '送信した内容が大きすぎます。一度に送るファイルを減らしてください。',
  'code.METHOD_NOT_ALLOWED': 'ステーションがこの要求を認識できません。ページを再読み込みしてください。',
  'code.NOT_FOUND': 'ステーションがこの要求を認識できません。ページを再読み込みしてください。',
  'code.STATION_UNREACHABLE':
    'ステーションが応答していません。実行中か確認してから、このページを再読み込みしてください。',
  'code.DEVICE_NOT_FOUND': 'このデバイスはもうキューにありません。',
  'code.OFFLINE':
    'テナントに接続していないため、登録済みのデバイスは変更できません。サインインしてから、もう一度お試しください。',
  'code.QUEUE_DB_CORRUPT': 'キューのファイルが壊れています。削除せず、診断情報を保存して管理者に連絡してください。',
  'code.QUEUE_DB_UNAVAILABLE':
    'キューを開けませんでした。何も移動・削除していません。ほかに開いているステーションを閉じてから起動し直してください。続く場合は診断情報を保存して管理者に連絡してください。',
  'code.QUEUE_DB_TOO_NEW':
    'キューは新しいバージョンのステーションで書き込まれています。そのバージョンを再インストールしてください。',
  'code.SETTINGS_LOCKED': 'これらの設定は管理者が設定しており、ここでは変更できません。',
  'code.TRAINING_UNAVAILABLE': 'トレーニング テナントを開始できませんでした。ステーションを再起動してください。',
  'code.MACHINE_SETTINGS_INVALID':
    '管理者が配布した設定ファイル[ ({path})] が[ {line} 行目][ {column} 文字目]で無効なため[ (設定 "{setting}" が正しくありません)]、無視されました。ファイル名と行を管理者に伝えてください。',
  'code.MACHINE_SETTINGS_UNREADABLE':
    '管理者が配布した設定ファイル[ ({path})] を読み取れなかったため[ ({reason})]、無視されました。ファイル名を管理者に伝えてください。',
  'banner.machineSettingsLocked':
    '管理者がファイルを修正してステーションを再起動するまで、すべての設定はロックされたままです (このベンチは変更可能な設定に切り替わりません)。',
  'settings.machineSettingsLocked':
    '管理者がファイルを修正してステーションを再起動するまで、以下の設定はすべてロックされたままです。',
  'code.UnknownImportError':
    'ステーションが認識できないエラーで Intune がデバイスを拒否しました。一度再試行し、再び失敗する場合はコードを管理者に送ってください。',
  'advice.done': '完了',
  'advice.stop': '停止',
  'advice.fix': '再取得',
  'advice.fixFile': 'ファイルを修正',
  'advice.retry': '再試行',
  'advice.signIn': 'サインイン',
  'advice.network': 'ネットワークを確認',
  'error.labelDone': 'Intune {code} {name}',
  'error.labelStation': '{name}',
  'capture.confirmInvalid':
    'このデバイスには問題があります (検出事項を参照)。修正して読み直すか、無効としてキューに保存してください。修正されるまで送信されません。',
  'capture.keepInvalid': '無効として保存',
  'capture.invalidHint': 'このデバイスには問題があり、無効として保存されます。',
  'capture.confirmNoTag':
    'グループ タグがありません。タグに依存するプロファイルはこのデバイスに割り当てられません。タグなしでキューに追加しますか?',
  'capture.queueNoTag': 'タグなしで追加',
  'capture.flagged':
    '{serial} は別のハードウェア ハッシュで既にキューにあります。両方を保存して印を付けました。キューで誤っている方を削除してください。',
  'capture.alreadyInQueue': 'このシリアル番号は既にキューにあります ({state})。',
  'capture.lastDevice': '直前のデバイス: {serial}',
  'capture.next': '次のデバイス',
  'capture.dropFolderEmpty': 'ドロップ フォルダーにはまだハッシュ ファイルがありません。',
  'capture.dropFolderRead': 'ドロップ フォルダーから {name} を読み取りました。',
  'import.notRead': '読み取らなかったファイル',
  'import.notHashFile':
    '{name}: ハッシュ ファイルではないため、読み取りませんでした。読み取れるのは {accepted} ファイルです。',
  'import.fileTooBig': '{name}: {limit} を超えているため、読み取りませんでした。',
  'import.readingFiles.one': '{count} 個のファイルを読み取っています…',
  'import.readingFiles.other': '{count} 個のファイルを読み取っています…',
  'import.queueGoodDevices.one': '正常な {count} 台のデバイスをキューに追加',
  'import.queueGoodDevices.other': '正常な {count} 台のデバイスをキューに追加',
  'import.sentDevices.one': '{count} 台をキューに送信済み',
  'import.sentDevices.other': '{count} 台をキューに送信済み',
  'queue.removed.one': '{count} 台のデバイスをキューから削除しました。',
  'queue.removed.other': '{count} 台のデバイスをキューから削除しました。',
  'queue.requeued.one': '{count} 台のデバイスを再びキューに追加しました。',
  'queue.requeued.other': '{count} 台のデバイスを再びキューに追加しました。',
  'queue.tagChanged.one': '{count} 台のデバイスのグループ タグを変更しました。',
  'queue.tagChanged.other': '{count} 台のデバイスのグループ タグを変更しました。',
  'queue.nothingChanged':
    '選択したデバイスはどれも変更できませんでした。無効なデバイスはもう一度取得する必要があり、インポート中のデバイスは Intune の応答を待ちます。',
  'queue.removeDevices.one': '{count} 台のデバイスをキューから削除しますか? 登録済みのデバイスは Intune に残ります。',
  'queue.removeDevices.other': '{count} 台のデバイスをキューから削除しますか? 登録済みのデバイスは Intune に残ります。',
  'queue.savedRows.one': '{name} を保存しました ({count} 台)。',
  'queue.savedRows.other': '{name} を保存しました ({count} 台)。',
  'queue.leftOut': '除外: {reasons}。',
  'queue.leftOut.registered': '登録済み {count} 台',
  'queue.leftOut.otherTenant': '別のテナントの所有 {count} 台',
  'queue.leftOut.invalid': '無効 {count} 台',
  'queue.leftOut.inFlight': 'インポート中 {count} 台',
  'queue.nothingToExport': 'まだアップロードできるデバイスがキューにないため、ファイルは保存しませんでした。',
  'queue.isEmpty': 'キューは空です。デバイスを取得するか、ファイルをインポートして始めてください。',
  'queue.devicesShown.one': '{total} 台中 {shown} 台を表示',
  'queue.devicesShown.other': '{total} 台中 {shown} 台を表示',
  'notify.count': 'メッセージ {count} 件',
  'notify.dismissAll': 'すべて閉じる',
  'notify.showAll': 'すべて表示',
  'notify.showLess': '最新のみ表示',
  'notify.batchProcessed.one': 'バッチが完了しました: {count} 台を処理しました。',
  'notify.batchProcessed.other': 'バッチが完了しました: {count} 台を処理しました。',
  'settings.tenantIdHelp':
    'GUID (例: 72f988bf-86f1-41af-91ab-2d7cd011db47)、またはテナントの確認済みドメイン (例: contoso.onmicrosoft.com)。',
  'settings.tenantIdInvalid':
    'テナント ID ではありません。GUID (8-4-4-4-12 桁の 16 進数) または contoso.onmicrosoft.com などの確認済みドメインを入力してください。',
  'settings.clientIdHelp': 'アプリの登録の [概要] ページにあるアプリケーション (クライアント) ID (GUID)。',
  'settings.clientIdInvalid':
    'クライアント ID ではありません。アプリの登録の [概要] ページにある、8-4-4-4-12 桁の 16 進数の GUID です。',
  'settings.batchSizeInvalid': '1 から 500 までの整数を入力してください。',
  'settings.fixFields': '印の付いた項目を修正してから保存してください。',
  'settings.tagHelp': 'タグを選ばなかったときに新しいデバイスに付けるグループ タグ。',
  'notify.batchEnded': 'バッチが完了しました。',
  'notify.openQueue': 'キューで開いてください。',
  'notify.attentionGeneric': '対応が必要なデバイスがあります。キューを開いて確認してください。',
  'code.DEVICE_DIFFERENT_HASH':
    '同じシリアル番号が別のハードウェア ハッシュでもう一度取得されました。両方を保持して印を付けています。誤っている方を削除し、正しい方を再試行してください。',
  'notify.importWaiting.one': '1 台のデバイスがインポートを待っています。{advice}',
  'notify.importWaiting.other': '{count} 台のデバイスがインポートを待っています。{advice}',
  'import.sentTotal.one': '{count} 台をキューに送りました:',
  'import.sentTotal.other': '{count} 台をキューに送りました:',
  'import.flagged.one':
    '{count} 台はキュー内のデバイスと同じシリアル番号で別のハッシュです。両方を保存して印を付けました。',
  'import.flagged.other':
    '{count} 台はキュー内のデバイスと同じシリアル番号で別のハッシュです。両方を保存して印を付けました。',
  'profile.unknown': '不明',
  'profile.assignedInSync': '割り当て済み',
  'profile.assignedOutOfSync': '割り当て済み (同期待ち)',
  'profile.assignedUnkownSyncState': '割り当て済み (同期状態不明)',
  'profile.notAssigned': '未割り当て: このデバイスのグループを対象とするプロファイルがありません',
  'profile.pending': '保留中',
  'profile.failed': '失敗',
  'code.INPUT_INVALID.fields': '拒否された項目: {fields}。',
  'code.ETIMEDOUT': '接続がタイムアウトしました。',
  // 企業識別子。Microsoft Learn 日本語版の用語「企業識別子」に合わせる。
  'settings.registrationTargets': 'キャプチャしたデバイスの登録方法',
  'settings.registrationTargets.onlyOne':
    'チェックが 1 つだけのときは外せません (各デバイスは必ずいずれかの方法で登録されます)。先にもう一方にチェックを入れてから、こちらを外してください。',
  'registrationTargets.autopilot': 'Windows Autopilot デバイス (ハードウェア ハッシュ)',
  'registrationTargets.corporate': '企業識別子 (製造元、モデル、シリアル番号)',
  'corporate.title': '企業識別子',
  'corporate.identifier': '識別子',
  'corporate.short': '企業識別子',
  'corporate.state.not-requested': '対象外',
  'corporate.state.queued': '待機中',
  'corporate.state.sending': '送信中',
  'corporate.state.done': '追加済み',
  'corporate.state.already-present': 'Intune に登録済み',
  'corporate.state.failed': '失敗',
  'corporate.state.unavailable': '登録できません',
  'corporate.requestIds': '要求 ID',
  'code.CORP_MISSING_VALUES':
    'ハードウェア ハッシュに企業識別子に必要な値[ ({missing})] がないため、このデバイスは企業識別子として追加できません。Autopilot デバイスとして登録してください。',
  'code.CORP_VALUE_HAS_COMMA':
    'ファームウェアの値[ ({fields})] にコンマが含まれているため、管理センターの企業識別子ファイルには書けません。ステーションは Graph 経由で追加できます。このデバイスはファイルではなくステーションで追加してください。',
  'code.CORP_VALUE_HAS_SEMICOLON':
    'ファームウェアの値[ ({fields})] にセミコロンが含まれているため、企業識別子 (製造元;モデル;シリアル) にできません。Autopilot デバイスとして登録してください。',
  'code.CORP_VALUE_NOT_WRITABLE':
    'ファームウェアの値[ ({fields})] に引用符または改行が含まれているため、管理センター用のファイルに書き込めません。',
  'code.CORP_DUPLICATE': '同じ識別子[ ({identifier})] が既にこのファイルにあります。',
  'code.CORP_REFUSED':
    'Intune が企業識別子[ {identifier}] を拒否しました。管理センターの企業識別子の一覧で確認し、管理者に連絡してください。',
  'code.CORP_NOT_IN_CLOUD':
    'このクラウドでは Graph から企業識別子を追加できません。企業識別子ファイルをエクスポートし、管理者にアップロードを依頼してください。',
  'code.CORP_RETRIES_EXHAUSTED':
    '[{attempts} 回試行しても ]Intune から応答がありませんでした。後で再試行するか、企業識別子ファイルをエクスポートしてください。',
  'queue.exportCorporate': '企業識別子をエクスポート',
  'corporate.field.manufacturer': '製造元',
  'corporate.field.model': 'モデル',
  'corporate.field.serial': 'シリアル番号',
  'code.PATH_NOT_ALLOWED':
    'ブラウザー モードでは、ステーションはドロップ フォルダー[ ({allowed})] 内のファイルだけを読み取るため、ファイル[ "{path}"] は拒否されました。ファイルをアップロードするか、管理者にフォルダーの設定を依頼してください。',
  'settings.tenantUrl': '共有トレーニング テナント (省略可)',
  'settings.tenantUrlHelp':
    'クラスで使う場合: 講師のコンピューターで "autopilot-station sim" が表示した https:// アドレス。空欄の場合はこのステーション内蔵のトレーニング テナントを使います。',
  'settings.caFile': 'その CA ファイル (sim-ca.pem)',
  'code.CHECK_CLOCK_UNKNOWN.action': '先に接続を確認してください。',
  'capture.moreInFile.one':
    'このファイルには他に {count} 台のデバイスがあります。キャプチャでは最初の 1 台だけを表示します。ファイルのすべてのデバイスをキューに入れるには [ファイルのインポート] を使ってください。',
  'capture.moreInFile.other':
    'このファイルには他に {count} 台のデバイスがあります。キャプチャでは最初の 1 台だけを表示します。ファイルのすべてのデバイスをキューに入れるには [ファイルのインポート] を使ってください。',
  'event.captured': '取得しました',
  'event.capturedAgainOtherHash': '別のハードウェア ハッシュでもう一度取得しました',
  'event.queuedFrom': '{where} からキューに追加しました',
  'event.capturedInvalid': '{where} から取得しましたが無効です: {codes}',
  'event.capturedOtherHash': '{where} から取得しました。このシリアル番号は別のハッシュでキューにあります',
  'event.capturedAgain': 'もう一度取得しました ({where})。1 台のデバイスとして保持します',
  'event.refusedBeforeUpload': 'アップロード前に拒否しました ({where}): {code}',
  'event.refusedAgain': 'もう一度拒否しました ({where})。1 件の記録として保持します',
  'event.importingBatch': '{count} 台のバッチでインポート中',
  'event.batchSent': 'バッチを送信しました',
  'event.batchFoundBySerial': 'インポート済みの一覧でシリアル番号によりバッチを見つけました (応答が失われていました)',
  'event.importedWaiting': 'インポートしました。登録を待っています',
  'event.imported': 'インポートしました',
  'event.registeredWaitingProfile': 'Autopilot に登録しました。展開プロファイルを待っています',
  'event.registered': 'Autopilot に登録しました',
  'event.profileAssigned': '展開プロファイルが割り当てられました ({profile})。展開できます',
  'event.profileFailed': '展開プロファイルの割り当てに失敗しました',
  'event.queuedAgain': '技術者がもう一度キューに追加しました',
  'event.queuedReregister': 'もう一度登録するためキューに追加しました',
  'event.checkedAgain': 'もう一度確認してキューに追加しました',
  'event.waitingAgain': 'もう一度待っています',
  'event.deadlineRenewed': 'この段階の期限はステーションが停止している間に過ぎました。今から改めて見守ります',
  'event.removed': '技術者がキューから削除しました',
  'event.checkNow': '技術者がこのインポートを今すぐテナントで確認するよう指示しました',
  'event.alreadyTagOk': 'このテナントに登録済みです。グループ タグは正しいままです',
  'event.alreadyTagFixed': 'このテナントに登録済みです。Intune にグループ タグ "{tag}" が表示されました',
  'event.alreadyTagChanging': 'このテナントに登録済みです。グループ タグを "{from}" から "{to}" に変更しています',
  'event.alreadyTagUnconfirmed':
    'このテナントに登録済みです。新しいグループ タグ "{tag}" が時間内に表示されませんでした',
  'event.timedOut': '{state} のまま時間切れになりました',
  'event.movedHere': '技術者がテナント {from} のキューからここへ移動しました',
  'event.movedAway': '技術者がテナント {to} のキューへ移動しました',
  'event.corporateQueued': '企業識別子をキューに追加しました: {identifier}',
  'event.corporateAdded': '企業識別子を追加しました',
  'event.corporateAlready': '企業識別子はテナントに既にあります',
  'event.corporateQueuedAgain': '企業識別子をもう一度キューに追加しました',
  'event.recordFoundAgain': 'インポート レコードが元の場所にありませんでした。シリアル番号で見つけ直しました',
  'event.notListedYet': '同期後も登録済みの一覧にまだありません。一覧が追いつくまで確認を続けます',
};
