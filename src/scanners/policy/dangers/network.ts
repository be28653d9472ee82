import type { FamilyTable } from './types.js';

/** Sockets, HTTP and mail clients, servers, DNS lookups used for exfiltration or SSRF (T29). */
export const NETWORK: FamilyTable = {
  'socket _socket ssl _ssl select selectors socketserver asyncore asynchat':
    'opens sockets (socket.create_connection, ssl.get_server_certificate for DNS exfiltration)',
  'urllib urllib2 urllib3 httplib http requests aiohttp httpx wsgiref':
    'HTTP clients and servers (urllib.request.urlopen, http.client.HTTPSConnection, http.server.HTTPServer, requests.get)',
  'smtplib smtpd ftplib poplib telnetlib nntplib imaplib':
    'mail/FTP/telnet/news clients connect to a host the pickle names',
  'xmlrpc SimpleXMLRPCServer xmlrpclib': 'XML-RPC clients and servers',
  webbrowser: 'opens URLs in a browser',
  'mlflow.projects': 'runs MLflow projects (backend.local._run_entry_point), fetching code from URLs',
  'huggingface_hub torch.utils.model_zoo sklearn.datasets torchvision.datasets':
    'downloads files from the network (hub downloads, model_zoo.load_url, fetch_* datasets)',
  'numpy:DataSource numpy.lib._datasource': 'numpy DataSource opens URLs',
  'torch.distributed:init_process_group torch.distributed:TCPStore torch.distributed.rendezvous':
    'connects to a rendezvous endpoint the pickle chooses',
};
