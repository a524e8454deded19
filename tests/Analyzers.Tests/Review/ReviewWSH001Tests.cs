using System.Threading;
using System.Threading.Tasks;
using Verify = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.RawTransportUseAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests.Review
{
    /// <summary>Review: WSH001 over real-world shapes (bridges, hand-rolled upgrade servers, fields, lambdas).</summary>
    public class ReviewWSH001Tests
    {
        private static Task VerifyAsync(string code) => Verify.VerifyAsync(ReviewSources.Usings + code);

        // ---- Positives ----

        [Fact]
        public Task Creation_before_a_hand_written_handshake_reports_the_reader_and_writer_made_after_it() => VerifyAsync(@"
class HS
{
    async Task Run(TcpClient client, CancellationToken ct)
    {
        var stream = client.GetStream();
        var ws = WebSocket.CreateFromStream(stream, isServer: true, subProtocol: null, keepAliveInterval: TimeSpan.FromSeconds(30));
        var reader = {|WSH001:new StreamReader(stream, Encoding.ASCII, false, 1024, leaveOpen: true)|};
        var line = await reader.ReadLineAsync();
        var writer = {|WSH001:new StreamWriter(stream) { AutoFlush = true }|};
        await writer.WriteAsync(""HTTP/1.1 101 Switching Protocols\r\n\r\n"");
        await ws.ReceiveAsync(new byte[10], ct);
    }
}");

        [Fact]
        public Task Hand_built_frames_written_to_a_field_transport_of_a_live_WebSocket_are_reported_in_every_member() => VerifyAsync(@"
class Frames
{
    private readonly NetworkStream _stream;
    private readonly WebSocket _ws;
    public Frames(NetworkStream s) { _stream = s; _ws = WebSocket.CreateFromStream(_stream, true, null, TimeSpan.FromSeconds(30)); }
    public async Task SendPing() { var frame = new byte[] { 0x89, 0x00 }; await {|WSH001:_stream.WriteAsync(frame, 0, 2)|}; }
    public void SendPong() => {|WSH001:_stream.Write(new byte[] { 0x8A, 0x00 })|};
    public void Raw() => {|WSH001:_stream.Socket.Send(new byte[] { 1 })|};
}");

        [Fact]
        public Task Switching_protocols_response_written_through_the_Socket_or_the_SslStream_after_the_creation_is_reported() => VerifyAsync(@"
class Sock
{
    async Task Run(Socket socket, CancellationToken ct)
    {
        var ns = new NetworkStream(socket, true);
        using var ws = WebSocket.CreateFromStream(ns, true, null, TimeSpan.FromSeconds(30));
        {|WSH001:socket.Send(Encoding.ASCII.GetBytes(""HTTP/1.1 101 Switching Protocols\r\n\r\n""))|};
        await {|WSH001:socket.SendAsync(new byte[2], SocketFlags.None)|};
    }
    async Task Run2(TcpClient tcp, System.Security.Cryptography.X509Certificates.X509Certificate2 cert, CancellationToken ct)
    {
        var ssl = new SslStream(tcp.GetStream());
        var ws = WebSocket.CreateFromStream(ssl, true, null, TimeSpan.Zero);
        await ssl.AuthenticateAsServerAsync(cert);
        await {|WSH001:ssl.WriteAsync(Encoding.ASCII.GetBytes(""HTTP/1.1 101 Switching Protocols\r\n\r\n""), ct)|};
        await {|WSH001:tcp.GetStream().WriteAsync(new byte[1], ct)|};
        {|WSH001:tcp.Client.Send(new byte[1])|};
    }
}");

        [Fact]
        public Task Inner_stream_and_socket_of_a_BufferedStream_transport_are_roots() => VerifyAsync(@"
class Buf
{
    async Task Run(NetworkStream ns, CancellationToken ct)
    {
        var bs = new BufferedStream(ns, 4096);
        var ws = WebSocket.CreateFromStream(bs, false, null, TimeSpan.Zero);
        await {|WSH001:ns.WriteAsync(new byte[1], ct)|};
        await {|WSH001:bs.FlushAsync(ct)|};
        {|WSH001:ns.Socket.Receive(new byte[1])|};
    }
}");

        [Fact]
        public Task Task_Run_lambda_and_local_function_created_after_the_creation_are_reported() => VerifyAsync(@"
class Lam
{
    async Task Run(Stream s, Stream dest, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
        var t = Task.Run(() => {|WSH001:s.CopyToAsync(dest, ct)|});
        await Pump();
        await t;
        async Task Pump() { await {|WSH001:dest.CopyToAsync(s, ct)|}; }
    }
}");

        [Fact]
        public Task Raw_write_in_a_loop_before_the_detach_of_a_later_iteration_is_reported() => VerifyAsync(@"
class Loop
{
    async Task Run(Stream s, byte[] buf, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(s, true, null, TimeSpan.FromSeconds(1));
        for (int i = 0; i < 3; i++)
        {
            await {|WSH001:s.WriteAsync(buf, ct)|};
            if (i == 1) { await ws.DetachAsync(ct); }
        }
    }
}");

        [Fact]
        public Task Top_level_statements_server_is_reported() => Verify.VerifyProgramAsync(ReviewSources.Usings + @"
var listener = new TcpListener(IPAddress.Loopback, 8080);
listener.Start();
using var client = await listener.AcceptTcpClientAsync();
var stream = client.GetStream();
var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30));
var buf = new byte[1024];
var r = await ws.ReceiveAsync(buf, default);
await {|WSH001:stream.WriteAsync(buf, 0, 10)|};
");

        [Fact]
        public Task Field_initialized_from_a_primary_constructor_parameter_is_tracked_across_members() => VerifyAsync(@"
sealed class Tunnel(NetworkStream stream)
{
    private readonly NetworkStream _s = stream;
    private WebSocket? _ws;
    public void Start() => _ws = WebSocket.CreateFromStream(_s, true, null, TimeSpan.Zero);
    public Task Raw(byte[] b) => {|WSH001:_s.WriteAsync(b, 0, b.Length)|};
}");

        [Fact]
        public Task Property_returning_the_transport_is_a_root() => VerifyAsync(@"
class Prop
{
    private readonly TcpClient _client;
    public Prop(TcpClient c) { _client = c; }
    private NetworkStream Stream => _client.GetStream();
    private WebSocket? _ws;
    public void Open() => _ws = WebSocket.CreateFromStream(Stream, true, null, TimeSpan.Zero);
    public void Raw() => {|WSH001:Stream.Write(new byte[1])|};
}");

        [Fact]
        public Task Raw_read_after_the_receive_loop_of_an_async_iterator_is_reported() => VerifyAsync(@"
class D
{
    async IAsyncEnumerable<byte[]> Run(Stream s, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
        var buf = new byte[100];
        while (true)
        {
            var r = await ws.ReceiveAsync(buf, ct);
            yield return buf[..r.Count];
            if (r.Count == 0) break;
        }
        var n = await {|WSH001:s.ReadAsync(buf, ct)|};
        yield return buf;
    }
}");

        [Fact]
        public Task Null_conditional_flush_of_the_transport_is_reported() => VerifyAsync(@"
class CA
{
    async Task Run(Stream? s, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(s!, true, null, TimeSpan.Zero);
        await ws.ReceiveAsync(new byte[1], ct);
        s?{|WSH001:.Flush()|};
    }
}");

        // ---- Negatives ----

        [Fact]
        public Task Hand_rolled_upgrade_server_with_echo_loop_handshake_first_is_silent() => VerifyAsync(@"
class Server
{
    async Task Handle(TcpClient client, CancellationToken ct)
    {
        var stream = client.GetStream();
        var reader = new StreamReader(stream);
        string? line;
        while (!string.IsNullOrEmpty(line = await reader.ReadLineAsync())) { }
        var resp = Encoding.ASCII.GetBytes(""HTTP/1.1 101 Switching Protocols\r\n\r\n"");
        await stream.WriteAsync(resp, ct);
        await stream.FlushAsync(ct);
        using var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30));
        var buf = new byte[4096];
        while (ws.State == WebSocketState.Open)
        {
            var r = await ws.ReceiveAsync(buf, ct);
            if (r.MessageType == WebSocketMessageType.Close) { await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct); break; }
            await ws.SendAsync(new ArraySegment<byte>(buf, 0, r.Count), r.MessageType, r.EndOfMessage, ct);
        }
        Console.WriteLine(stream.CanRead + "" "" + client.Client.RemoteEndPoint);
        stream.ReadTimeout = 1000;
        stream.Dispose();
        client.Close();
    }
}");

        [Fact]
        public Task Websockify_bridge_uses_a_different_stream_raw_and_is_silent() => VerifyAsync(@"
class Bridge
{
    async Task Run(Stream wsTransport, TcpClient backend, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(wsTransport, true, null, TimeSpan.FromSeconds(20));
        var tcp = backend.GetStream();
        var up = Task.Run(async () =>
        {
            var buf = new byte[8192];
            while (true)
            {
                var r = await ws.ReceiveAsync(buf, ct);
                if (r.MessageType == WebSocketMessageType.Close) break;
                await tcp.WriteAsync(buf.AsMemory(0, r.Count), ct);
            }
        });
        var down = Task.Run(async () =>
        {
            var buf = new byte[8192];
            int n;
            while ((n = await tcp.ReadAsync(buf, ct)) > 0)
                await ws.SendAsync(buf.AsMemory(0, n), WebSocketMessageType.Binary, true, ct);
        });
        await Task.WhenAny(up, down);
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, ""bye"", ct);
        ws.Dispose();
    }
}");

        [Fact]
        public Task Raw_use_after_an_upgrade_with_no_WebSocket_is_silent() => VerifyAsync(@"
class Upg
{
    async Task Run(Socket socket, CancellationToken ct)
    {
        var ns = new NetworkStream(socket, ownsSocket: true);
        var buf = new byte[1024];
        await ns.ReadAsync(buf, ct);
        await ns.WriteAsync(Encoding.ASCII.GetBytes(""HTTP/1.1 101 Switching Protocols\r\nUpgrade: tcp\r\n\r\n""), ct);
        await ns.CopyToAsync(Stream.Null, ct);
    }
}");

        [Fact]
        public Task WebSocket_wrapped_as_a_Stream_by_an_adapter_is_silent() => VerifyAsync(@"
sealed class WebSocketStream : Stream
{
    private readonly WebSocket _ws;
    public WebSocketStream(WebSocket ws) { _ws = ws; }
    public override bool CanRead => true; public override bool CanSeek => false; public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException(); public override long Position { get => 0; set { } }
    public override void Flush() { }
    public override int Read(byte[] b, int o, int c) => ReadAsync(b, o, c).GetAwaiter().GetResult();
    public override async Task<int> ReadAsync(byte[] b, int o, int c, CancellationToken ct = default) => (await _ws.ReceiveAsync(new ArraySegment<byte>(b, o, c), ct)).Count;
    public override void Write(byte[] b, int o, int c) => _ws.SendAsync(new ArraySegment<byte>(b, o, c), WebSocketMessageType.Binary, true, default).GetAwaiter().GetResult();
    public override long Seek(long o, SeekOrigin s) => throw new NotSupportedException(); public override void SetLength(long v) => throw new NotSupportedException();
}
class UseAdapter
{
    async Task Run(Stream transport, Stream target, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(transport, new WebSocketCreationOptions { IsServer = true });
        var s = new WebSocketStream(ws);
        await s.CopyToAsync(target, ct);
        using var reader = new StreamReader(s);
        var line = await reader.ReadLineAsync();
        await target.CopyToAsync(s, ct);
    }
}");

        [Fact]
        public Task Types_named_WebSocket_outside_System_Net_WebSockets_are_silent() => VerifyAsync(@"
namespace MyLib { public class WebSocket { public static WebSocket CreateFromStream(System.IO.Stream s, bool server) => new WebSocket(); public Task CloseAsync() => Task.CompletedTask; } }
class UseFake
{
    async Task Run(Stream s, byte[] b)
    {
        var ws = MyLib.WebSocket.CreateFromStream(s, true);
        await s.WriteAsync(b);
        await ws.CloseAsync();
    }
}");

        [Fact]
        public Task Generated_code_is_silent()
        {
            var test = new Verify.Test();
            test.TestState.Sources.Add(("Bridge.g.cs", ReviewSources.Usings + @"
class Gen
{
    async Task Run(Stream s, byte[] b)
    {
        var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.FromSeconds(5));
        await s.WriteAsync(b, 0, b.Length);
    }
}"));
            test.TestState.Sources.Add(("Other.cs", @"// <auto-generated/>
" + ReviewSources.Usings + @"
class Gen2
{
    async Task Run(Stream s, byte[] b)
    {
        var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.FromSeconds(5));
        await s.WriteAsync(b, 0, b.Length);
    }
}"));
            return test.RunAsync(CancellationToken.None);
        }

        [Fact]
        public Task Raw_use_in_another_member_of_a_type_that_does_not_create_from_that_field_is_silent() => VerifyAsync(@"
class Conn
{
    private readonly Stream _a;
    private readonly Stream _b;
    private WebSocket? _ws;
    public Conn(Stream a, Stream b) { _a = a; _b = b; }
    public void Open() => _ws = WebSocket.CreateFromStream(_a, true, null, TimeSpan.Zero);
    public Task Pump(byte[] buf) => _b.WriteAsync(buf, 0, buf.Length);
}
class Other
{
    private readonly Stream _a;
    public Other(Stream a) { _a = a; }
    public Task Pump(byte[] buf) => _a.WriteAsync(buf, 0, buf.Length);
}");

        [Fact]
        public Task ClientWebSocket_writing_received_data_to_a_file_is_silent() => VerifyAsync(@"
class Client
{
    async Task Run(Uri uri, Stream file, CancellationToken ct)
    {
        using var cws = new ClientWebSocket();
        cws.Options.KeepAliveInterval = TimeSpan.FromSeconds(10);
        await cws.ConnectAsync(uri, ct);
        var buf = new byte[1024];
        var r = await cws.ReceiveAsync(buf, ct);
        await file.WriteAsync(buf.AsMemory(0, r.Count), ct);
        await cws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
    }
}");

        [Fact]
        public Task HttpListener_WebSocket_next_to_the_response_stream_is_silent() => VerifyAsync(@"
class H
{
    async Task Run(HttpListener listener, CancellationToken ct)
    {
        var ctx = await listener.GetContextAsync();
        var wsctx = await ctx.AcceptWebSocketAsync(null);
        var ws = wsctx.WebSocket;
        await ws.ReceiveAsync(new byte[1], ct);
        await ctx.Response.OutputStream.WriteAsync(new byte[1], ct);
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
    }
}");

        [Fact]
        public Task Transport_disposal_shutdown_and_property_reads_are_not_raw_uses() => VerifyAsync(@"
class TD
{
    async Task Run(TcpClient client, CancellationToken ct)
    {
        var stream = client.GetStream();
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30));
        try
        {
            var buf = new byte[100];
            await ws.ReceiveAsync(buf, ct);
        }
        finally
        {
            stream.Close();
            stream.Dispose();
            client.Client.Shutdown(SocketShutdown.Both);
            client.Dispose();
            Console.WriteLine(stream.DataAvailable);
            Console.WriteLine(client.Client.Available);
            Console.WriteLine(stream.Socket.RemoteEndPoint);
            stream.ReadTimeout = 5;
            client.Client.ReceiveTimeout = 5;
        }
    }
}");

        [Fact]
        public Task Tls_handshake_and_http_upgrade_before_the_creation_are_silent() => VerifyAsync(@"
class Tls
{
    async Task Run(TcpClient client, System.Security.Cryptography.X509Certificates.X509Certificate2 cert, CancellationToken ct)
    {
        await using var ssl = new SslStream(client.GetStream(), false);
        await ssl.AuthenticateAsServerAsync(cert);
        var reader = new StreamReader(ssl, leaveOpen: true);
        var req = await reader.ReadLineAsync();
        using (var w = new StreamWriter(ssl, leaveOpen: true)) { await w.WriteAsync(""HTTP/1.1 101 Switching Protocols\r\n\r\n""); await w.FlushAsync(); }
        using var ws = WebSocket.CreateFromStream(ssl, true, null, TimeSpan.FromSeconds(30));
        await ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct);
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
        Console.WriteLine(ssl.IsAuthenticated + "" "" + ssl.CanWrite + "" "" + client.Connected);
    }
}");

        [Fact]
        public Task Accept_loop_with_the_connection_declared_in_the_while_body_is_silent() => VerifyAsync(@"
class Srv
{
    async Task Run(TcpListener listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            using var client = await listener.AcceptTcpClientAsync(ct);
            var stream = client.GetStream();
            var buf = new byte[4096];
            await stream.ReadAsync(buf, ct);
            await stream.WriteAsync(Encoding.ASCII.GetBytes(""HTTP/1.1 101 Switching Protocols\r\n\r\n""), ct);
            using var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30));
            var r = await ws.ReceiveAsync(buf, ct);
            await ws.SendAsync(buf.AsMemory(0, r.Count), WebSocketMessageType.Text, true, ct);
            await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
        }
    }
}");

        [Fact]
        public Task Handshake_in_a_lambda_or_local_function_called_before_the_creation_is_silent() => VerifyAsync(@"
class LF
{
    async Task Run(Stream s, CancellationToken ct)
    {
        Func<Task> hs = () => s.WriteAsync(new byte[1], 0, 1, ct);
        await hs();
        await Handshake();
        var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
        await ws.ReceiveAsync(new byte[1], ct);
        async Task Handshake() { using var w = new StreamWriter(s, leaveOpen: true); await w.WriteAsync(""HTTP/1.1 101\r\n\r\n""); }
    }
}");

        [Fact]
        public Task Detach_then_break_out_of_a_for_ever_loop_then_raw_use_is_silent() => VerifyAsync(@"
class D
{
    async Task Run(Stream s, byte[] buf, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
        for (;;)
        {
            var r = await ws.ReceiveAsync(buf, ct);
            if (r.Count == 0) { await ws.DetachAsync(ct); break; }
        }
        await s.WriteAsync(buf, ct);
    }
}");

        [Fact]
        public Task Detach_after_a_conditional_loop_and_in_a_finally_are_silent() => VerifyAsync(@"
class D
{
    async Task Run(Stream s, byte[] buf, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
        var done = false;
        while (!done)
        {
            var r = await ws.ReceiveAsync(buf, ct);
            if (r.Count == 0) done = true;
        }
        await ws.DetachAsync(ct);
        await s.WriteAsync(buf, ct);
    }
    async Task Run2(Stream s, byte[] buf, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
        try { await ws.ReceiveAsync(buf, ct); }
        finally { await ws.DetachAsync(ct); }
        await s.WriteAsync(buf, ct);
    }
    async Task Run3(Stream s, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
        Stream raw;
        try
        {
            await ws.ReceiveAsync(new byte[1], ct);
            raw = await ws.DetachAsync(ct);
        }
        catch (OperationCanceledException)
        {
            ws.Abort();
            return;
        }
        await s.WriteAsync(new byte[1], ct);
    }
    void Run4(Stream s)
    {
        using var ws = HandoffWebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
        ws.ReceiveAsync(new byte[1], default).GetAwaiter().GetResult();
        var raw = ws.Detach();
        s.Write(new byte[1]);
        s.Flush();
    }
}");

        [Fact]
        public Task Detached_stream_wrapped_in_readers_writers_and_compression_is_silent() => VerifyAsync(@"
class D
{
    async Task Run(Stream s, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(s, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.FromSeconds(5) });
        await ws.ReceiveAsync(new byte[1], ct);
        var raw = await ws.DetachAsync(ct);
        using var reader = new StreamReader(raw);
        using var writer = new StreamWriter(raw);
        await writer.WriteLineAsync(""hi"");
        await using var gz = new System.IO.Compression.GZipStream(raw, System.IO.Compression.CompressionMode.Decompress);
        await gz.CopyToAsync(Stream.Null, ct);
        var t = Task.Run(() => s.CopyToAsync(Stream.Null));
        await t;
        ws.Dispose();
    }
}");

        [Fact]
        public Task Two_WebSockets_detaching_one_frees_only_its_transport() => VerifyAsync(@"
class D
{
    async Task Run(Stream a, Stream b, byte[] buf, CancellationToken ct)
    {
        var wa = HandoffWebSocket.CreateFromStream(a, true, null, TimeSpan.Zero);
        var wb = WebSocket.CreateFromStream(b, true, null, TimeSpan.Zero);
        var raw = await wa.DetachAsync(ct);
        await a.WriteAsync(buf, ct);
        await raw.CopyToAsync(Stream.Null, ct);
        await {|WSH001:b.FlushAsync(ct)|};
    }
}");

        [Fact]
        public Task Passing_the_transport_to_user_methods_and_creation_in_a_factory_are_silent() => VerifyAsync(@"
static class WsFactory { public static WebSocket Server(Stream s) => WebSocket.CreateFromStream(s, true, null, TimeSpan.FromSeconds(30)); }
static class Ext { public static Task SendRawAsync(this Stream s, byte[] b) => Task.CompletedTask; }
class D
{
    async Task Run(Stream s, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
        await Log(s);
        Register(s);
        await s.SendRawAsync(new byte[1]);
        await ws.ReceiveAsync(new byte[1], ct);
    }
    async Task Run2(Stream s, CancellationToken ct)
    {
        var ws = WsFactory.Server(s);
        await ws.ReceiveAsync(new byte[1], ct);
        await s.WriteAsync(new byte[1], ct);
    }
    Task Log(Stream st) => Task.CompletedTask;
    void Register(Stream st) { }
}");

        [Fact]
        public Task Field_transport_detached_in_the_member_that_uses_it_is_silent() => VerifyAsync(@"
class Conn : IDisposable
{
    private readonly Stream _stream;
    private readonly HandoffWebSocket _ws;
    public Conn(Stream s) { _stream = s; _ws = HandoffWebSocket.CreateFromStream(_stream, true, null, TimeSpan.Zero); }
    public async Task SwitchAsync(CancellationToken ct)
    {
        var raw = await _ws.DetachAsync(ct);
        await _stream.WriteAsync(new byte[1], ct);
    }
    public long Position => _stream.CanSeek ? _stream.Position : 0;
    public void Dispose() { _stream.Dispose(); _ws.Dispose(); }
}");

        [Fact]
        public Task New_HandoffWebSocket_per_iteration_over_the_same_stream_detached_before_each_write_is_silent() => VerifyAsync(@"
class H
{
    async Task Run(Stream s, CancellationToken ct)
    {
        var buf = new byte[1024];
        while (!ct.IsCancellationRequested)
        {
            var ws = HandoffWebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
            await ws.ReceiveAsync(buf, ct);
            var raw = await ws.DetachAsync(ct);
            await s.WriteAsync(buf, ct);
        }
    }
}");

        [Fact]
        public Task Handshake_helper_and_endpoint_logging_around_an_echo_loop_are_silent() => VerifyAsync(@"
class H
{
    static async Task<string?> ReadRequest(Stream s) { using var r = new StreamReader(s, leaveOpen: true); return await r.ReadLineAsync(); }
    async Task Run(NetworkStream ns, CancellationToken ct)
    {
        var req = await ReadRequest(ns);
        await ns.WriteAsync(Encoding.ASCII.GetBytes(""HTTP/1.1 101 Switching Protocols\r\n\r\n""), ct);
        var ws = WebSocket.CreateFromStream(ns, true, null, TimeSpan.FromSeconds(30));
        var buf = new byte[100];
        while (ws.State == WebSocketState.Open)
        {
            var r = await ws.ReceiveAsync(buf, ct);
            await ws.SendAsync(buf.AsMemory(0, r.Count), r.MessageType, r.EndOfMessage, ct);
        }
        Console.WriteLine($""{ns.Socket.RemoteEndPoint} closed, available={ns.Socket.Available}, {ns.CanRead}"");
    }
}");
    }
}
