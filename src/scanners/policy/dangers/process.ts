import type { FamilyTable } from './types.js';

/** Spawning processes, directly or through helpers that shell out (T01, T26). */
export const PROCESS: FamilyTable = {
  'os posix nt':
    'operating-system interface: system, popen, exec*, spawn*, fork (os functions pickle as posix/nt)',
  'subprocess commands popen2 _posixsubprocess _winapi pty pexpect pipes':
    'spawns processes (subprocess.run/Popen, pty.spawn, pipes.Template)',
  asyncio: 'asyncio spawns processes (create_subprocess_shell, unix_events._UnixSubprocessTransport._start)',
  'multiprocessing concurrent torch.multiprocessing':
    'starts worker processes (multiprocessing.util.spawnv_passfds, Pool)',
  'distutils numpy.distutils':
    'distutils spawns compilers and shells (distutils.spawn, numpy.distutils.exec_command)',
  'uuid:_get_command_stdout uuid:_popen uuid:_find_mac uuid:_ifconfig_getnode uuid:_ip_getnode':
    'uuid helpers run ifconfig/ip/arp commands (T26)',
  'uuid _osx_support _aix_support':
    'module with helpers that run shell commands (uuid._get_command_stdout, _osx_support._read_output, _aix_support._read_cmd_output)',
  'imaplib:IMAP4_stream': 'IMAP4_stream(command) runs a shell command to talk to the server',
  'pydoc:pipepager pydoc:pager pydoc:tempfilepager pydoc:getpager':
    'pydoc pagers pipe text to a shell command',
  _pyrepl: '_pyrepl.pager.pipe_pager runs a shell command (Python 3.13+)',
  test: 'CPython test helpers run interpreters and commands (test.support.script_helper.assert_python_ok)',
  'torch.utils.collect_env': 'collect_env.run/run_and_read_all execute shell commands',
  'torch.distributed.elastic': 'torch elastic launches and supervises worker processes',
  'pandas:read_clipboard pandas.io.clipboard pandas.io.clipboards':
    'reads the clipboard by running xclip/xsel/pbpaste',
};
