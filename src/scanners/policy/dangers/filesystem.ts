import type { FamilyTable } from './types.js';

/** Creating, writing, deleting or reading files (T28, T32). */
export const FILESYSTEM: FamilyTable = {
  'builtins:open builtins:file': 'opens a file for reading or writing',
  'io:open io:open_code io:FileIO _io:open _io:open_code _io:FileIO codecs:open':
    'opens a file for reading or writing (io.FileIO, io.open, codecs.open)',
  'gzip:open gzip:GzipFile bz2:open bz2:BZ2File lzma:open lzma:LZMAFile':
    'opens a compressed file by path for reading or writing',
  'shutil tempfile filecmp fileinput glob linecache difflib':
    'file operations: copy/move/remove trees, temp files, globbing, reading arbitrary lines (linecache.getline)',
  'zipfile tarfile zipapp': 'reads and writes archives on disk (extraction can write anywhere)',
  'sqlite3 _sqlite3 dbm mmap mailbox': 'opens, creates or maps files on disk',
  'compileall py_compile': 'compiles source trees and writes .pyc files',
  logging:
    'logging handlers create and write files (FileHandler, handlers.*); logging.config resolves factories and opens sockets',
  syslog: 'writes to the system log',
  'distutils.file_util distutils.dir_util':
    'distutils file helpers write and copy files (write_file, copy_file)',
  'pathlib:Path.* pathlib:PosixPath.* pathlib:WindowsPath.* pathlib:PurePath.*':
    'a method of a path class (write_text, unlink, open, rename …) reached by attribute walk',
  'numpy:loadtxt numpy:genfromtxt numpy:fromfile numpy:fromregex numpy:memmap numpy:save numpy:savez numpy:savez_compressed numpy:savetxt':
    'numpy readers/writers of files by path (T32 recon)',
  'numpy.lib.npyio numpy.lib.format': 'numpy file readers and writers (load, save, read_array, open_memmap)',
  'torch:save torch:from_file': 'reads or writes a file by path',
  'pandas.io': 'pandas readers and writers take paths and URLs (read_csv, read_json, to_csv …; T29/T32)',
  'pandas:read_csv pandas:read_table pandas:read_fwf pandas:read_json pandas:read_html pandas:read_xml pandas:read_excel pandas:read_parquet pandas:read_feather pandas:read_orc pandas:read_sas pandas:read_spss pandas:read_stata pandas:read_sql pandas:read_sql_query pandas:read_sql_table pandas:read_hdf pandas:read_gbq pandas:HDFStore pandas:ExcelFile':
    'pandas reader: reads a path or URL chosen by the pickle (T29/T32)',
  'PIL.Image:open torchvision.io': 'image/video readers open a path chosen by the pickle (T32)',
  'xml.etree.ElementTree:parse xml.etree.ElementTree:iterparse xml.dom.minidom:parse xml.sax:parse':
    'XML parsers read a path or URL chosen by the pickle',
};
