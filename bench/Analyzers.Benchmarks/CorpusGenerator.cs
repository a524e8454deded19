using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Bench;

/// <summary>Which methods the generated corpus contains.</summary>
public enum CorpusKind
{
    /// <summary>
    /// Ordinary stream and WebSocket code; one method in eight creates a WebSocket from a stream, and those methods live
    /// where WebSocket code lives in real projects: in one file of four (every other method there), the other files have none.
    /// </summary>
    Mixed,

    /// <summary>As <see cref="Mixed"/>, with the creating methods spread over every file (one method in eight everywhere).</summary>
    Spread,

    /// <summary>The same amount of ordinary code, with no WebSocket creation anywhere.</summary>
    NoCreation,

    /// <summary>
    /// As <see cref="Mixed"/> at the density of a project that does handoffs in one component: the creating methods in
    /// three files of the 120 (every other method there), 30 in all, one method in 80. Still denser than most code.
    /// </summary>
    Sparse,
}

/// <summary>A generated body of C#: one source text per file, and what it holds.</summary>
public sealed class Corpus
{
    public Corpus(CorpusKind kind, IReadOnlyList<string> files, int lines, int methods, int creations)
    {
        Kind = kind;
        Files = files;
        Lines = lines;
        Methods = methods;
        Creations = creations;
    }

    public CorpusKind Kind { get; }
    public IReadOnlyList<string> Files { get; }
    public int Lines { get; }
    public int Methods { get; }

    /// <summary>Methods that call a <c>CreateFromStream</c>.</summary>
    public int Creations { get; }
}

/// <summary>
/// Generates C# that uses streams and WebSockets the ordinary way: echo loops over <c>ClientWebSocket</c>, file copies,
/// <c>TcpClient</c>/<c>NetworkStream</c> and <c>SslStream</c> I/O, compression, JSON over a WebSocket, plain computation;
/// in <see cref="CorpusKind.Mixed"/> and <see cref="CorpusKind.Spread"/> one method in eight creates a WebSocket from a
/// stream (a server with a hand-written handshake, handoffs through <c>HandoffWebSocket</c>, and an unsafe bridge that
/// reads the transport raw).
/// Deterministic: the same arguments give the same text.
/// </summary>
public static class CorpusGenerator
{
    private delegate void Template(StringBuilder sb, int n, Random random);

    private static readonly Template[] Ordinary =
    {
        EchoClient, CopyFile, TcpRequest, TlsHead, Compress, Score, SendJson, CountLines,
    };

    private static readonly Template[] Creating =
    {
        ServeWebSocket, Tunnel, Upgrade, Bridge,
    };

    /// <summary>One method in <c>CreationEvery</c> creates a WebSocket in the spread corpus.</summary>
    public const int CreationEvery = 8;

    /// <summary>120 files of 4 types of 5 methods: about 48,000 lines, 2,400 methods.</summary>
    public const int DefaultFiles = 120;

    public static Corpus Generate(CorpusKind kind, int files = DefaultFiles, int typesPerFile = 4, int methodsPerType = 5, int seed = 20261127)
    {
        var random = new Random(seed);
        var sources = new List<string>(files);
        int lines = 0, methods = 0, creations = 0;
        for (int f = 0; f < files; f++)
        {
            var sb = new StringBuilder();
            sb.Append(Header);
            sb.Append("namespace Corpus.Area").Append(f.ToString(CultureInfo.InvariantCulture)).Append("\n{\n");
            for (int t = 0; t < typesPerFile; t++)
            {
                string type = "Service" + (f * typesPerFile + t).ToString(CultureInfo.InvariantCulture);
                sb.Append("    public sealed class ").Append(type).Append("\n    {\n");
                sb.Append("        private readonly Dictionary<string, int> _counters = new Dictionary<string, int>();\n");
                sb.Append("        public string Name { get; set; } = \"").Append(type).Append("\";\n");
                sb.Append("        public int Calls => _counters.Count;\n\n");
                for (int m = 0; m < methodsPerType; m++)
                {
                    int n = methods++;
                    // The choice of template is drawn the same way for both kinds, so the two corpora differ only in
                    // the creating methods, which NoCreation replaces by ordinary ones of about the same size.
                    int ordinary = random.Next(Ordinary.Length);
                    int creating = random.Next(Creating.Length);
                    bool create = kind switch
                    {
                        CorpusKind.Mixed => f % 4 == 0 && n % 2 == 1,
                        CorpusKind.Spread => n % CreationEvery == CreationEvery - 1,
                        CorpusKind.Sparse => f % 40 == 0 && n % 2 == 1,
                        _ => false,
                    };
                    if (create)
                    {
                        Creating[creating](sb, n, random);
                        creations++;
                    }
                    else
                    {
                        Ordinary[ordinary](sb, n, random);
                    }
                    sb.Append('\n');
                }
                sb.Append("    }\n\n");
            }
            sb.Append("}\n");
            string text = sb.ToString();
            lines += CountLines(text);
            sources.Add(text);
        }
        return new Corpus(kind, sources, lines, methods, creations);
    }

    private static int CountLines(string text)
    {
        int count = 0;
        foreach (char c in text)
        {
            if (c == '\n') count++;
        }
        return count;
    }

    private const string Header =
        "using System;\n" +
        "using System.Collections.Generic;\n" +
        "using System.IO;\n" +
        "using System.IO.Compression;\n" +
        "using System.Linq;\n" +
        "using System.Net.Security;\n" +
        "using System.Net.Sockets;\n" +
        "using System.Net.WebSockets;\n" +
        "using System.Security.Authentication;\n" +
        "using System.Text;\n" +
        "using System.Text.Json;\n" +
        "using System.Threading;\n" +
        "using System.Threading.Tasks;\n" +
        "using WebSocketHandoff;\n\n";

    private static string Size(Random random) => (1024 << random.Next(0, 6)).ToString(CultureInfo.InvariantCulture);

    private static string Small(Random random) => random.Next(1, 60).ToString(CultureInfo.InvariantCulture);

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);

    // ---- ordinary methods: no WebSocket is created from a stream ----

    private static void EchoClient(StringBuilder sb, int n, Random random) => sb.Append($$"""
        public async Task<int> Echo{{N(n)}}Async(Uri uri, CancellationToken cancellationToken)
        {
            using var ws = new ClientWebSocket();
            ws.Options.KeepAliveInterval = TimeSpan.FromSeconds({{Small(random)}});
            await ws.ConnectAsync(uri, cancellationToken);
            var buffer = new byte[{{Size(random)}}];
            int messages = 0;
            while (ws.State == WebSocketState.Open)
            {
                WebSocketReceiveResult result = await ws.ReceiveAsync(new ArraySegment<byte>(buffer), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", cancellationToken);
                    break;
                }
                await ws.SendAsync(new ArraySegment<byte>(buffer, 0, result.Count), result.MessageType, result.EndOfMessage, cancellationToken);
                messages++;
            }
            _counters[Name] = messages;
            return messages;
        }

""");

    private static void CopyFile(StringBuilder sb, int n, Random random)
    {
        string size = Size(random);
        sb.Append($$"""
        public async Task<long> CopyFile{{N(n)}}Async(string source, string destination, CancellationToken cancellationToken)
        {
            await using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, {{size}}, useAsync: true);
            await using var output = new FileStream(destination, FileMode.Create, FileAccess.Write, FileShare.None, {{size}}, useAsync: true);
            var buffer = new byte[{{size}}];
            long total = 0;
            int read;
            while ((read = await input.ReadAsync(buffer.AsMemory(), cancellationToken)) > 0)
            {
                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                total += read;
            }
            await output.FlushAsync(cancellationToken);
            if (total == 0)
            {
                File.Delete(destination);
            }
            return total;
        }

""");
    }

    private static void TcpRequest(StringBuilder sb, int n, Random random) => sb.Append($$"""
        public async Task<string> Request{{N(n)}}Async(string host, int port, string request, CancellationToken cancellationToken)
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, cancellationToken);
            NetworkStream stream = client.GetStream();
            byte[] payload = Encoding.UTF8.GetBytes(request + "\r\n");
            await stream.WriteAsync(payload, cancellationToken);
            await stream.FlushAsync(cancellationToken);
            var response = new StringBuilder();
            var buffer = new byte[{{Size(random)}}];
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                response.Append(Encoding.UTF8.GetString(buffer, 0, read));
                if (response.Length > {{Small(random)}}000)
                {
                    break;
                }
            }
            return response.ToString();
        }

""");

    private static void TlsHead(StringBuilder sb, int n, Random random)
    {
        string size = Size(random);
        sb.Append($$"""
        public async Task<string?> TlsHead{{N(n)}}Async(string host, CancellationToken cancellationToken)
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, 443, cancellationToken);
            await using var ssl = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
            var options = new SslClientAuthenticationOptions { TargetHost = host, EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13 };
            await ssl.AuthenticateAsClientAsync(options, cancellationToken);
            using var writer = new StreamWriter(ssl, Encoding.ASCII, {{size}}, leaveOpen: true);
            await writer.WriteAsync("HEAD / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
            await writer.FlushAsync(cancellationToken);
            using var reader = new StreamReader(ssl, Encoding.ASCII, false, {{size}}, leaveOpen: true);
            string? status = await reader.ReadLineAsync(cancellationToken);
            return status is null ? null : status.Trim();
        }

""");
    }

    private static void Compress(StringBuilder sb, int n, Random random) => sb.Append($$"""
        public static byte[] Compress{{N(n)}}(ReadOnlySpan<byte> data, bool fast)
        {
            using var output = new MemoryStream(data.Length / {{Small(random)}} + 16);
            using (var gzip = new GZipStream(output, fast ? CompressionLevel.Fastest : CompressionLevel.Optimal, leaveOpen: true))
            {
                gzip.Write(data);
            }
            byte[] result = output.ToArray();
            if (result.Length > data.Length)
            {
                return data.ToArray();
            }
            return result;
        }

""");

    private static void Score(StringBuilder sb, int n, Random random) => sb.Append($$"""
        public int Score{{N(n)}}(IReadOnlyList<string> words)
        {
            var counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            foreach (string word in words)
            {
                counts[word] = counts.TryGetValue(word, out int c) ? c + 1 : 1;
            }
            int best = counts
                .Where(p => p.Value > {{Small(random)}})
                .Select(p => p.Key.Length * p.Value)
                .DefaultIfEmpty(0)
                .Max();
            _counters[Name + ".score"] = best;
            return best;
        }

""");

    private static void SendJson(StringBuilder sb, int n, Random random)
    {
        string chunk = Size(random);
        sb.Append($$"""
        public async Task SendJson{{N(n)}}Async(WebSocket socket, IReadOnlyDictionary<string, int> values, CancellationToken cancellationToken)
        {
            byte[] json = JsonSerializer.SerializeToUtf8Bytes(values);
            for (int offset = 0; offset < json.Length; offset += {{chunk}})
            {
                int count = Math.Min({{chunk}}, json.Length - offset);
                bool last = offset + count >= json.Length;
                await socket.SendAsync(json.AsMemory(offset, count), WebSocketMessageType.Text, last, cancellationToken);
            }
            if (json.Length == 0)
            {
                await socket.SendAsync(ReadOnlyMemory<byte>.Empty, WebSocketMessageType.Text, true, cancellationToken);
            }
        }

""");
    }

    private static void CountLines(StringBuilder sb, int n, Random random) => sb.Append($$"""
        public async Task<int> CountLines{{N(n)}}Async(Stream stream, CancellationToken cancellationToken)
        {
            using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: {{Size(random)}}, leaveOpen: true);
            int lines = 0;
            string? line;
            while ((line = await reader.ReadLineAsync(cancellationToken)) is not null)
            {
                if (line.Length > 0 && line[0] != '#')
                {
                    lines++;
                }
            }
            _counters[Name + ".lines"] = lines;
            return lines;
        }

""");

    // ---- methods that create a WebSocket from a stream ----

    /// <summary>Hand-written server handshake on the stream, then a BCL WebSocket; no raw use after the creation.</summary>
    private static void ServeWebSocket(StringBuilder sb, int n, Random random) => sb.Append($$"""
        public async Task ServeWebSocket{{N(n)}}Async(TcpClient client, CancellationToken cancellationToken)
        {
            NetworkStream stream = client.GetStream();
            var header = new byte[4096];
            int headerLength = await stream.ReadAsync(header, cancellationToken);
            string request = Encoding.ASCII.GetString(header, 0, headerLength);
            string key = request.Split("\r\n").First(l => l.StartsWith("Sec-WebSocket-Key:", StringComparison.OrdinalIgnoreCase)).Substring(18).Trim();
            string accept = Convert.ToBase64String(System.Security.Cryptography.SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + accept + "\r\n\r\n"), cancellationToken);
            using WebSocket ws = WebSocket.CreateFromStream(stream, isServer: true, subProtocol: null, keepAliveInterval: TimeSpan.FromSeconds({{Small(random)}}));
            var buffer = new byte[{{Size(random)}}];
            while (true)
            {
                ValueWebSocketReceiveResult result = await ws.ReceiveAsync(buffer.AsMemory(), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
                await ws.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, cancellationToken);
            }
            await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
        }

""");

    /// <summary>A correct handoff: receive until the agreed message, detach, then copy raw both ways.</summary>
    private static void Tunnel(StringBuilder sb, int n, Random random) => sb.Append($$"""
        public async Task Tunnel{{N(n)}}Async(Stream transport, Stream target, CancellationToken cancellationToken)
        {
            HandoffWebSocket ws = HandoffWebSocket.CreateFromStream(transport, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.FromSeconds({{Small(random)}}) });
            var buffer = new byte[{{Size(random)}}];
            ValueWebSocketReceiveResult result;
            do
            {
                result = await ws.ReceiveAsync(buffer.AsMemory(), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
            }
            while (!result.EndOfMessage || Encoding.UTF8.GetString(buffer, 0, result.Count) != "switch");
            Stream raw = await ws.DetachAsync(cancellationToken);
            Task up = raw.CopyToAsync(target, cancellationToken);
            await target.CopyToAsync(raw, cancellationToken);
            await up;
        }

""");

    /// <summary>A correct handoff by the side that sends the last message.</summary>
    private static void Upgrade(StringBuilder sb, int n, Random random) => sb.Append($$"""
        public async Task<Stream> Upgrade{{N(n)}}Async(Stream transport, CancellationToken cancellationToken)
        {
            var ws = HandoffWebSocket.CreateFromStream(transport, isServer: true, subProtocol: "tunnel", keepAliveInterval: TimeSpan.FromSeconds({{Small(random)}}));
            var buffer = new byte[{{Size(random)}}];
            ValueWebSocketReceiveResult hello = await ws.ReceiveAsync(buffer.AsMemory(), cancellationToken);
            if (hello.MessageType != WebSocketMessageType.Text || !hello.EndOfMessage)
            {
                throw new InvalidDataException("expected a hello message");
            }
            _counters[Name + ".upgrades"] = hello.Count;
            return await ws.SendAndDetachAsync(Encoding.UTF8.GetBytes("switch"), WebSocketMessageType.Text, cancellationToken);
        }

""");

    /// <summary>The unsafe shape the analyzers exist for: a BCL WebSocket with keep-alive, then raw reads of its transport.</summary>
    private static void Bridge(StringBuilder sb, int n, Random random) => sb.Append($$"""
        public async Task<int> Bridge{{N(n)}}Async(TcpClient client, CancellationToken cancellationToken)
        {
            NetworkStream stream = client.GetStream();
            WebSocket ws = WebSocket.CreateFromStream(stream, isServer: false, subProtocol: null, keepAliveInterval: TimeSpan.FromSeconds({{Small(random)}}));
            var buffer = new byte[{{Size(random)}}];
            ValueWebSocketReceiveResult result = await ws.ReceiveAsync(buffer.AsMemory(), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return 0;
            }
            int total = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += read;
            }
            return total;
        }

""");
}
