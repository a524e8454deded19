using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using WebSocketHandoff.Analyzers.Flow;
using WebSocketHandoff.Analyzers.Tests.Rules;

namespace WebSocketHandoff.Analyzers.Tests
{
    /// <summary>
    /// The screens that let the flow analysis skip a member — <see cref="SyntaxScreen"/> before any operation tree,
    /// <see cref="QuietMemberScreen"/> before any graph — must never skip a member the full analysis has something to say
    /// about. Each case is analyzed twice, with the screens and without (<c>screen: false</c>), and the findings must be the
    /// same; the cases are the shapes where source order and execution order part (loops, goto, lambdas, local
    /// functions, finally), copies of the WebSocket or transport, transports the analysis follows into other members, and
    /// WebSockets handed to helpers that detach them. The screens must also actually settle the ordinary shapes (the
    /// benchmark corpus's among them), or they save nothing.
    /// </summary>
    public class QuietMemberScreenTests
    {
        private const string Helpers = @"
    static async Task SwitchAsync(HandoffWebSocket ws, CancellationToken ct)
    {
        var raw = await ws.DetachAsync(ct);
        await raw.FlushAsync(ct);
    }

    static bool TryOpen(out Stream stream) { stream = Stream.Null; return true; }
    static Stream Open() => Stream.Null;
";

        /// <summary>Members the full analysis reports something in: the screen must hand each to it.</summary>
        public static TheoryData<string, string> Reported() => new TheoryData<string, string>
        {
            { "raw use after the creation", @"
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
        await stream.ReadAsync(b, ct);
    }" },
            { "raw use before the creation in a loop around it", @"
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        WebSocket? ws = null;
        for (var i = 0; i < 2; i++)
        {
            await stream.ReadAsync(b, ct);
            ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
        }
    }" },
            { "raw use in a for increment", @"
    async Task M(Stream stream, CancellationToken ct)
    {
        for (var i = 0; i < 2; i++, stream.Flush())
        {
            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
            await ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct);
        }
    }" },
            { "raw use before the creation, reached again by goto", @"
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        var n = 0;
    again:
        await stream.ReadAsync(b, ct);
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
        if (n++ < 2) goto again;
    }" },
            { "raw use in a lambda created after the creation", @"
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
        Func<Task<int>> read = () => stream.ReadAsync(b, 0, b.Length, ct);
        await read();
    }" },
            { "raw use in a local function called after the creation", @"
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
        await Read();
        Task<int> Read() => stream.ReadAsync(b, 0, b.Length, ct);
    }" },
            { "raw use of what the transport wraps", @"
    async Task M(NetworkStream inner, byte[] b, CancellationToken ct)
    {
        var tls = new SslStream(inner);
        var ws = WebSocket.CreateFromStream(tls, true, null, TimeSpan.FromSeconds(5));
        await inner.WriteAsync(b, ct);
    }" },
            { "raw use of the TcpClient's socket", @"
    void M(TcpClient client, byte[] b)
    {
        var ws = WebSocket.CreateFromStream(client.GetStream(), true, null, TimeSpan.FromSeconds(5));
        client.Client.Send(b);
    }" },
            { "transport from an out variable", @"
    void M(byte[] b)
    {
        if (!TryOpen(out var s)) return;
        var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.FromSeconds(5));
        s.Write(b, 0, b.Length);
    }" },
            { "transport from a pattern in a switch", @"
    void M(object o, byte[] b)
    {
        switch (o)
        {
            case Stream s:
                var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.FromSeconds(5));
                s.Write(b, 0, b.Length);
                break;
        }
    }" },
            { "transport from a foreach variable", @"
    void M(Stream[] streams, byte[] b)
    {
        foreach (var s in streams)
        {
            var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.FromSeconds(5));
            s.Write(b, 0, b.Length);
        }
    }" },
            { "transport held in a field, used raw in another member", @"
    private Stream _stream = Stream.Null;
    private WebSocket? _ws;
    void Start() => _ws = WebSocket.CreateFromStream(_stream, true, null, TimeSpan.FromSeconds(5));
    void Raw(byte[] b) => _stream.Write(b, 0, b.Length);" },
            { "transport stored into a field after the creation", @"
    private Stream _saved = Stream.Null;
    void Start(Stream stream)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
        _saved = stream;
    }
    void Raw(byte[] b) => _saved.Write(b, 0, b.Length);" },
            { "send after the detach through a copy", @"
    async Task M(Stream stream, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        var copy = ws;
        var raw = await ws.DetachAsync(ct);
        await copy.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct);
    }" },
            { "send after the detach through a pattern copy", @"
    async Task M(WebSocket w, CancellationToken ct)
    {
        if (w is HandoffWebSocket ws && ws is HandoffWebSocket h)
        {
            await ws.DetachAsync(ct);
            await h.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct);
        }
    }" },
            { "send and detach in a loop", @"
    async Task M(Stream stream, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        for (var i = 0; i < 2; i++)
        {
            await ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct);
            await ws.DetachAsync(ct);
        }
    }" },
            { "close in a finally after the detach", @"
    async Task M(Stream stream, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        try
        {
            var raw = await ws.DetachAsync(ct);
        }
        finally
        {
            await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
        }
    }" },
            { "send after a helper that detaches", @"
    async Task M(Stream stream, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await SwitchAsync(ws, ct);
        await ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct);
    }" },
            { "send after the detach on some path", @"
    async Task M(Stream stream, bool now, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        if (now)
        {
            await ws.DetachAsync(ct);
        }
        await ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct);
    }" },
            { "send after the detach of a field, through this.", @"
    private HandoffWebSocket? _ws;
    async Task M(CancellationToken ct)
    {
        var raw = await this._ws!.DetachAsync(ct);
        await _ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct);
    }" },
            { "two creations, the second one used raw", @"
    async Task M(Stream a, Stream b, byte[] data, CancellationToken ct)
    {
        var quiet = WebSocket.CreateFromStream(a, true, null, TimeSpan.Zero);
        var loud = WebSocket.CreateFromStream(b, true, null, TimeSpan.FromSeconds(5));
        await b.WriteAsync(data, ct);
    }" },
            { "the transport copied before the creation, the original used raw", @"
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        Stream copy = stream;
        var ws = WebSocket.CreateFromStream(copy, true, null, TimeSpan.FromSeconds(5));
        await stream.WriteAsync(b, ct);
    }" },
            { "an SslStream created from, then used raw", @"
    async Task M(NetworkStream inner, byte[] b, CancellationToken ct)
    {
        using var tls = new SslStream(inner);
        await tls.AuthenticateAsClientAsync(""host"");
        var ws = WebSocket.CreateFromStream(tls, true, null, TimeSpan.FromSeconds(5));
        await tls.WriteAsync(b, ct);
    }" },
            { "the TcpClient's stream asked for again and used raw", @"
    void M(TcpClient client, byte[] b)
    {
        var ws = WebSocket.CreateFromStream(client.GetStream(), true, null, TimeSpan.FromSeconds(5));
        client.GetStream().Write(b, 0, b.Length);
    }" },
            { "a using declaration of the WebSocket, the transport flushed before its end", @"
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        using var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
        await ws.SendAsync(b, WebSocketMessageType.Binary, true, ct);
        await stream.FlushAsync(ct);
    }" },
            { "raw use before the creation in a foreach around it", @"
    void M(Stream[] streams, Stream stream, byte[] b)
    {
        foreach (var s in streams)
        {
            stream.Write(b, 0, b.Length);
            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
        }
    }" },
            { "raw use before the creation in a do-while around it", @"
    void M(Stream stream, byte[] b, int n)
    {
        do
        {
            stream.Write(b, 0, b.Length);
            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
        }
        while (--n > 0);
    }" },
            { "a creation and a raw use inside a lambda", @"
    void M(Stream stream, byte[] b)
    {
        Action run = () =>
        {
            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
            stream.Write(b, 0, b.Length);
        };
        run();
    }" },
            { "a creation and a raw use inside a local function", @"
    void M(Stream stream, byte[] b)
    {
        Open();
        void Open()
        {
            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
            stream.Write(b, 0, b.Length);
        }
    }" },
            { "SendAndDetachAsync, then a send", @"
    async Task M(Stream stream, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        var raw = await ws.SendAndDetachAsync(new byte[1], WebSocketMessageType.Binary, ct);
        await ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct);
    }" },
            { "Detach(), then a close", @"
    async Task M(Stream stream, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        var raw = ws.Detach();
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
    }" },
            { "a detach through a cast, then a send through the original", @"
    async Task M(WebSocket w, CancellationToken ct)
    {
        await ((HandoffWebSocket)w).DetachAsync(ct);
        await w.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct);
    }" },
            { "a helper detaches the WebSocket of a field, then a send on the field", @"
    private HandoffWebSocket? _ws;
    async Task M(Stream stream, CancellationToken ct)
    {
        _ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await SwitchAsync(_ws, ct);
        await _ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct);
    }" },
            { "a helper detaches a parameter, a lambda parameter elsewhere named alike", @"
    async Task M(HandoffWebSocket ws, Stream stream, CancellationToken ct)
    {
        var other = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        Func<HandoffWebSocket, Task> later = ws => SwitchAsync(ws, ct);
        await SwitchAsync(ws, ct);
        await ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct);
    }" },
            { "transport in a static field, used raw in another member", @"
    private static Stream s_stream = Stream.Null;
    void M() { var ws = WebSocket.CreateFromStream(s_stream, true, null, TimeSpan.FromSeconds(5)); }
    void Raw(byte[] b) => s_stream.Write(b, 0, b.Length);" },
            { "transport in a property, used raw in another member", @"
    private Stream Transport { get; } = Stream.Null;
    void M() { var ws = WebSocket.CreateFromStream(Transport, true, null, TimeSpan.FromSeconds(5)); }
    void Raw(byte[] b) => Transport.Write(b, 0, b.Length);" },
            { "transport in a field, a local of the same name in another block", @"
    private Stream stream = Stream.Null;
    void M()
    {
        {
            var stream = Stream.Null;
            stream.Flush();
        }
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
    }
    void Raw(byte[] b) => stream.Write(b, 0, b.Length);" },
        };

        /// <summary>Ordinary members: nothing to report, and the screen settles each without a graph.</summary>
        public static TheoryData<string, string> Settled() => new TheoryData<string, string>
        {
            { "server: hand-written handshake, then the WebSocket only", @"
    async Task M(TcpClient client, CancellationToken ct)
    {
        NetworkStream stream = client.GetStream();
        var header = new byte[4096];
        int n = await stream.ReadAsync(header, ct);
        string request = Encoding.ASCII.GetString(header, 0, n);
        string key = request.Split(""\r\n"").First(l => l.StartsWith(""Sec-WebSocket-Key:"")).Substring(18).Trim();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(""HTTP/1.1 101 Switching Protocols\r\n\r\n"" + key), ct);
        using WebSocket ws = WebSocket.CreateFromStream(stream, isServer: true, subProtocol: null, keepAliveInterval: TimeSpan.FromSeconds(30));
        var buffer = new byte[1024];
        while (true)
        {
            var result = await ws.ReceiveAsync(buffer.AsMemory(), ct);
            if (result.MessageType == WebSocketMessageType.Close) break;
            await ws.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, ct);
        }
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
    }" },
            { "tunnel: receive until agreed, detach, copy raw", @"
    async Task M(Stream transport, Stream target, CancellationToken ct)
    {
        HandoffWebSocket ws = HandoffWebSocket.CreateFromStream(transport, new WebSocketCreationOptions { IsServer = false });
        var buffer = new byte[1024];
        ValueWebSocketReceiveResult result;
        do
        {
            result = await ws.ReceiveAsync(buffer.AsMemory(), ct);
            if (result.MessageType == WebSocketMessageType.Close) return;
        }
        while (!result.EndOfMessage);
        Stream raw = await ws.DetachAsync(ct);
        Task up = raw.CopyToAsync(target, ct);
        await target.CopyToAsync(raw, ct);
        await up;
    }" },
            { "upgrade: the last message and the detach in one call", @"
    async Task<Stream> M(Stream transport, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(transport, isServer: true, subProtocol: ""tunnel"", keepAliveInterval: TimeSpan.FromSeconds(30));
        var hello = await ws.ReceiveAsync(new byte[64].AsMemory(), ct);
        if (!hello.EndOfMessage) throw new InvalidDataException();
        return await ws.SendAndDetachAsync(Encoding.UTF8.GetBytes(""switch""), WebSocketMessageType.Text, ct);
    }" },
            { "the transport disposed by a using at the end", @"
    async Task M(TcpClient client, CancellationToken ct)
    {
        using var stream = client.GetStream();
        using var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30));
        await ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct);
    }" },
        };

        /// <summary>Whole compilation units (for what a member alone cannot show): the type's own header, other types, aliases.</summary>
        public static TheoryData<string, string> ReportedUnits() => new TheoryData<string, string>
        {
            { "a primary-constructor parameter as the transport, used raw in another member", @"
class C(Stream stream)
{
    void M() { var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5)); }
    void Raw(byte[] b) => stream.Write(b, 0, b.Length);
}" },
            { "an alias of HandoffWebSocket, detach then send", @"
using Hws = WebSocketHandoff.HandoffWebSocket;
class C
{
    async Task M(Stream stream, CancellationToken ct)
    {
        Hws ws = Hws.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await ws.DetachAsync(ct);
        await ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct);
    }
}" },
            { "an extension method that detaches, called on the WebSocket, then a send", @"
static class Switching
{
    public static async Task SwitchAsync(this HandoffWebSocket ws, CancellationToken ct)
    {
        var raw = await ws.DetachAsync(ct);
        await raw.FlushAsync(ct);
    }
}
class C
{
    async Task M(Stream stream, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await ws.SwitchAsync(ct);
        await ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct);
    }
}" },
            { "a helper taking an aliased type detaches a field's WebSocket, then a close", @"
using Hws = WebSocketHandoff.HandoffWebSocket;
class C
{
    private Hws? _ws;
    static async Task SwitchAsync(Hws w, CancellationToken ct)
    {
        var raw = await w.DetachAsync(ct);
        await raw.FlushAsync(ct);
    }
    async Task M(Stream stream, CancellationToken ct)
    {
        _ws = Hws.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await SwitchAsync(this._ws, ct);
        await this._ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
    }
}" },
        };

        [Fact]
        public async Task A_helper_in_another_type_that_detaches_is_followed()
        {
            // The helper's name is found among the methods of the whole compilation whose declaration spells a detach.
            var result = await AnalyzeUnitAsync(@"
static class Handoffs
{
    public static async Task<Stream> TakeOverAsync<T>(T socket, HandoffWebSocket ws, CancellationToken ct)
    {
        return await ws.DetachAsync(ct);
    }
}
class C
{
    async Task M(Stream stream, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        var raw = await Handoffs.TakeOverAsync<object>(this, ws, ct);
        await ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct);
    }
}");

            Assert.True(result.Without.Count > 0, "the case must have a finding to test anything");
            Assert.Equal(result.Without, result.WithScreen);
            Assert.DoesNotContain("M", result.SyntaxQuiet);
        }

        /// <summary>More ordinary members, which the syntax screen settles before any operation tree is built.</summary>
        public static TheoryData<string, string> SettledBySyntax() => new TheoryData<string, string>
        {
            { "TLS client: SslStream over the NetworkStream, a handshake read in a loop, then the WebSocket", @"
    async Task M(TcpClient client, string host, CancellationToken ct)
    {
        var ssl = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(host);
        await ssl.WriteAsync(Encoding.ASCII.GetBytes(""GET / HTTP/1.1\r\nHost: "" + host + ""\r\n\r\n""), ct);
        var response = new byte[1024];
        int read;
        while ((read = await ssl.ReadAsync(response, ct)) > 0 && response[read - 1] != (byte)'\n')
        {
        }
        using var ws = WebSocket.CreateFromStream(ssl, false, null, TimeSpan.FromSeconds(30));
        await ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct);
    }" },
            { "detach, then a raw copy loop", @"
    async Task<long> M(Stream transport, Stream target, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(transport, false, null, TimeSpan.Zero);
        var raw = await ws.DetachAsync(ct);
        var buffer = new byte[4096];
        long total = 0;
        int n;
        while ((n = await raw.ReadAsync(buffer, ct)) > 0)
        {
            await target.WriteAsync(buffer.AsMemory(0, n), ct);
            total += n;
        }
        return total;
    }" },
            { "a BufferedStream over the transport, written before the creation", @"
    async Task M(Stream inner, CancellationToken ct)
    {
        var buffered = new BufferedStream(inner, 4096);
        await buffered.WriteAsync(new byte[] { 1 }, ct);
        await buffered.FlushAsync(ct);
        var ws = WebSocket.CreateFromStream(buffered, true, null, TimeSpan.FromSeconds(30));
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
    }" },
            { "handshake lines read through a StreamReader, a lambda over them, then the WebSocket", @"
    async Task M(NetworkStream stream, CancellationToken ct)
    {
        var reader = new StreamReader(stream, Encoding.ASCII, false, 1024, leaveOpen: true);
        var headers = new System.Collections.Generic.List<string>();
        string? line;
        while (!string.IsNullOrEmpty(line = await reader.ReadLineAsync(ct)))
        {
            headers.Add(line);
        }
        var key = headers.First(h => h.StartsWith(""Sec-WebSocket-Key:"", StringComparison.Ordinal)).Substring(18);
        using var ws = WebSocket.CreateFromStream(stream, isServer: true, subProtocol: null, keepAliveInterval: TimeSpan.FromSeconds(30));
        await ws.SendAsync(Encoding.UTF8.GetBytes(key), WebSocketMessageType.Text, true, ct);
    }" },
            { "the benchmark corpus's server: handshake by hand, then a BCL WebSocket", @"
    private readonly System.Collections.Generic.Dictionary<string, int> _counters = new System.Collections.Generic.Dictionary<string, int>();
    public string Name { get; set; } = ""C"";
    public async Task M(TcpClient client, CancellationToken cancellationToken)
    {
        NetworkStream stream = client.GetStream();
        var header = new byte[4096];
        int headerLength = await stream.ReadAsync(header, cancellationToken);
        string request = Encoding.ASCII.GetString(header, 0, headerLength);
        string key = request.Split(""\r\n"").First(l => l.StartsWith(""Sec-WebSocket-Key:"", StringComparison.OrdinalIgnoreCase)).Substring(18).Trim();
        string accept = Convert.ToBase64String(System.Security.Cryptography.SHA1.HashData(Encoding.ASCII.GetBytes(key + ""258EAFA5-E914-47DA-95CA-C5AB0DC85B11"")));
        await stream.WriteAsync(Encoding.ASCII.GetBytes(""HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "" + accept + ""\r\n\r\n""), cancellationToken);
        using WebSocket ws = WebSocket.CreateFromStream(stream, isServer: true, subProtocol: null, keepAliveInterval: TimeSpan.FromSeconds(30));
        var buffer = new byte[4096];
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
    }" },
            { "the benchmark corpus's tunnel: receive until agreed, detach, copy raw", @"
    public async Task M(Stream transport, Stream target, CancellationToken cancellationToken)
    {
        HandoffWebSocket ws = HandoffWebSocket.CreateFromStream(transport, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.FromSeconds(30) });
        var buffer = new byte[4096];
        ValueWebSocketReceiveResult result;
        do
        {
            result = await ws.ReceiveAsync(buffer.AsMemory(), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }
        }
        while (!result.EndOfMessage || Encoding.UTF8.GetString(buffer, 0, result.Count) != ""switch"");
        Stream raw = await ws.DetachAsync(cancellationToken);
        Task up = raw.CopyToAsync(target, cancellationToken);
        await target.CopyToAsync(raw, cancellationToken);
        await up;
    }" },
            { "the benchmark corpus's upgrade: the last message and the detach in one call", @"
    private readonly System.Collections.Generic.Dictionary<string, int> _counters = new System.Collections.Generic.Dictionary<string, int>();
    public string Name { get; set; } = ""C"";
    public async Task<Stream> M(Stream transport, CancellationToken cancellationToken)
    {
        var ws = HandoffWebSocket.CreateFromStream(transport, isServer: true, subProtocol: ""tunnel"", keepAliveInterval: TimeSpan.FromSeconds(30));
        var buffer = new byte[4096];
        ValueWebSocketReceiveResult hello = await ws.ReceiveAsync(buffer.AsMemory(), cancellationToken);
        if (hello.MessageType != WebSocketMessageType.Text || !hello.EndOfMessage)
        {
            throw new InvalidDataException(""expected a hello message"");
        }
        _counters[Name + "".upgrades""] = hello.Count;
        return await ws.SendAndDetachAsync(Encoding.UTF8.GetBytes(""switch""), WebSocketMessageType.Text, cancellationToken);
    }" },
            { "a HandoffWebSocket handed to a method that does not detach, then detached", @"
    static void Log(WebSocket w) => Console.WriteLine(w.State);
    async Task M(Stream transport, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(transport, false, null, TimeSpan.Zero);
        Log(ws);
        var raw = await ws.DetachAsync(ct);
        await raw.FlushAsync(ct);
    }" },
            { "named arguments in another order", @"
    void M(Stream stream)
    {
        using var ws = WebSocket.CreateFromStream(isServer: true, stream: stream, subProtocol: null, keepAliveInterval: TimeSpan.Zero);
    }" },
            { "a detach of a HandoffWebSocket parameter whose stream is returned", @"
    static async Task<Stream> M(HandoffWebSocket ws, CancellationToken ct)
    {
        var raw = await ws.DetachAsync(ct).ConfigureAwait(false);
        return raw;
    }" },
        };

        [Theory]
        [MemberData(nameof(Reported))]
        public async Task Members_with_findings_reach_the_full_analysis(string shape, string members)
        {
            var result = await AnalyzeAsync(members);

            Assert.True(result.Without.Count > 0, $"{shape}: the case must have a finding to test anything");
            Assert.Equal(result.Without, result.WithScreen);
            Assert.DoesNotContain("M", result.Quiet);
            Assert.DoesNotContain("M", result.SyntaxQuiet);
        }

        [Theory]
        [MemberData(nameof(ReportedUnits))]
        public async Task Members_with_findings_reach_the_full_analysis_whatever_the_names_say(string shape, string unit)
        {
            var result = await AnalyzeUnitAsync(unit);

            Assert.True(result.Without.Count > 0, $"{shape}: the case must have a finding to test anything");
            Assert.Equal(result.Without, result.WithScreen);
            Assert.DoesNotContain("M", result.SyntaxQuiet);
        }

        [Theory]
        [MemberData(nameof(Settled))]
        public async Task Ordinary_members_are_settled_without_a_graph(string shape, string members)
        {
            var result = await AnalyzeAsync(members);

            Assert.Empty(result.Without);
            Assert.Empty(result.WithScreen);
            Assert.True(result.Quiet.Contains("M"), $"{shape}: the screen should settle this member");
        }

        [Theory]
        [MemberData(nameof(Settled))]
        [MemberData(nameof(SettledBySyntax))]
        public async Task Ordinary_members_are_settled_without_an_operation_tree(string shape, string members)
        {
            var result = await AnalyzeAsync(members);

            Assert.Empty(result.Without);
            Assert.Empty(result.WithScreen);
            Assert.True(result.SyntaxQuiet.Contains("M"), $"{shape}: the syntax screen should settle this member");
        }

        [Fact]
        public async Task A_lambda_made_before_the_creation_is_handed_to_the_analysis_and_both_agree()
        {
            // The analysis counts lambdas created after the creation only; the screen cannot tell and does not guess.
            var (withScreen, without, quiet) = await AnalyzeAsync(@"
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        Func<Task<int>> read = () => stream.ReadAsync(b, 0, b.Length, ct);
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
        await read();
    }");

            Assert.Equal(without, withScreen);
            Assert.DoesNotContain("M", quiet);
        }

        private sealed class Result
        {
            public List<string> WithScreen { get; set; } = new List<string>();

            public List<string> Without { get; set; } = new List<string>();

            /// <summary>Members the operation screen settles.</summary>
            public HashSet<string> Quiet { get; } = new HashSet<string>();

            /// <summary>Members the syntax screen settles.</summary>
            public HashSet<string> SyntaxQuiet { get; } = new HashSet<string>();

            public void Deconstruct(out List<string> withScreen, out List<string> without, out HashSet<string> quiet)
            {
                withScreen = WithScreen;
                without = Without;
                quiet = Quiet;
            }
        }

        /// <summary>Findings with and without the screens, and the members each screen settles.</summary>
        private static Task<Result> AnalyzeAsync(string members) =>
            AnalyzeUnitAsync("using System.Linq;\nclass C\n{\n" + Helpers + members + "\n}\n");

        /// <summary>The same for a whole compilation unit (after the usings) that declares the analyzed type <c>C</c>.</summary>
        private static async Task<Result> AnalyzeUnitAsync(string unit)
        {
            var source = WSH001Tests.Usings + unit;
            var compilation = await AnalyzerRunner.CompileAsync(source);
            var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            Assert.True(errors.Count == 0, string.Join("\n", errors));

            var types = HandoffTypes.TryCreate(compilation)!;
            var tree = compilation.SyntaxTrees.Single();
            var model = compilation.GetSemanticModel(tree);
            var type = compilation.GetTypeByMetadataName("C")!;
            var bodies = new List<MemberBody>();
            var result = new Result();
            foreach (var declaration in tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>())
            {
                var symbol = model.GetDeclaredSymbol(declaration)!;
                if (!SymbolEqualityComparer.Default.Equals(symbol.ContainingType, type))
                {
                    continue;
                }

                // The syntax screen is asked first, as the analysis asks it: before anything has built the member's operation tree.
                var name = declaration.Identifier.ValueText;
                var mayHandoff = TextPrecheck.MemberMayHandoff(declaration);
                if (mayHandoff && SyntaxScreen.IsQuiet(declaration, symbol, model, types, CancellationToken.None))
                {
                    result.SyntaxQuiet.Add(name);
                }

                if (model.GetOperation(declaration) is IMethodBodyOperation body)
                {
                    bodies.Add(new MemberBody(symbol, body));
                    if (mayHandoff && QuietMemberScreen.IsQuiet(body, types))
                    {
                        result.Quiet.Add(name);
                    }
                }
            }

            result.WithScreen = Findings(HandoffAnalysis.Analyze(new TypeFlowContext(types, type, CancellationToken.None), bodies, screen: true));
            result.Without = Findings(HandoffAnalysis.Analyze(new TypeFlowContext(types, type, CancellationToken.None), bodies, screen: false));
            return result;
        }

        /// <summary>What the four flow rules report from an analysis: kind and place of each finding.</summary>
        private static List<string> Findings(HandoffAnalysis analysis)
        {
            var findings = new List<string>();
            foreach (var creation in analysis.Creations)
            {
                findings.AddRange(creation.LiveRawUses.Select(u => "raw use " + u.Event.Syntax));
                findings.AddRange(creation.Closes.Where(creation.IsReportedClose).Select(c => "close " + c.Event.Syntax));
            }

            foreach (var detach in analysis.Detaches)
            {
                findings.AddRange(detach.SendsAfter.Select(s => "used after detach " + s.Event.Syntax));
                findings.AddRange(detach.ClosesAfter.Select(c => "closed after detach " + c.Event.Syntax));
            }

            findings.Sort(System.StringComparer.Ordinal);
            return findings;
        }
    }
}
