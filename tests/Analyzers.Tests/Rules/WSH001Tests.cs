using System.Linq;
using System.Threading.Tasks;
using Verify = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.RawTransportUseAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests.Rules
{
    public class WSH001Tests
    {
        internal const string Usings = @"
using System;
using System.IO;
using System.IO.Compression;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff;
";

        private static Task VerifyAsync(string code) => Verify.VerifyAsync(Usings + code);

        internal const string TruncationSample = Usings + @"
class Connection
{
    private readonly NetworkStream _stream;
    private HandoffWebSocket? _ws;

    public Connection(NetworkStream stream) { _stream = stream; }

    public void Start() => _ws = HandoffWebSocket.CreateFromStream(_stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.FromSeconds(1) });

    public async Task<Stream> RunAsync(TcpClient client, Stream other, byte[] buffer, CancellationToken ct)
    {
        using var ws = WebSocket.CreateFromStream(client.GetStream(), true, null, TimeSpan.FromSeconds(30));
        var hws = HandoffWebSocket.CreateFromStream(other, true, null, TimeSpan.Zero);
        try
        {
            while (true)
            {
                var result = await hws.ReceiveAsync(buffer, ct);
                if (result.Count == 3) { var raw = await hws.DetachAsync(ct); await raw.WriteAsync(buffer, ct); break; }
                await client.GetStream().WriteAsync(buffer, 0, result.Count, ct);
                Func<Task> later = async () => await other.CopyToAsync(_stream);
                await Local();
            }
        }
        catch (InvalidOperationException)
        {
            await hws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
        }
        finally
        {
            _stream.Socket.Send(buffer);
        }

        return _ws!.Detach();

        async Task Local() => await _stream.FlushAsync(ct);
    }
}";

        [Fact]
        public Task Code_as_it_is_typed_never_makes_the_analyzer_throw() =>
            Verify.AssertNoExceptionOnTruncationsAsync(TruncationSample, step: 13);

        // ---- Positives: the shapes real code has ----

        [Fact]
        public Task Write_to_the_transport_after_the_creation_is_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] buffer)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await ws.SendAsync(buffer, WebSocketMessageType.Binary, true, default);
        await {|WSH001:stream.WriteAsync(buffer, 0, buffer.Length)|};
    }
}");

        [Fact]
        public Task Hand_written_handshake_after_the_creation_is_reported() => VerifyAsync(@"
class C
{
    async Task<WebSocket> AcceptAsync(NetworkStream stream)
    {
        var ws = WebSocket.CreateFromStream(stream, isServer: true, subProtocol: null, keepAliveInterval: TimeSpan.Zero);
        var reader = {|WSH001:new StreamReader(stream, Encoding.ASCII, false, 1024, leaveOpen: true)|};
        string line;
        while (!string.IsNullOrEmpty(line = await reader.ReadLineAsync())) { }
        var response = Encoding.ASCII.GetBytes(""HTTP/1.1 101 Switching Protocols\r\n\r\n"");
        await {|WSH001:stream.WriteAsync(response, 0, response.Length)|};
        await {|WSH001:stream.FlushAsync()|};
        return ws;
    }
}");

        [Fact]
        public Task Hand_built_frame_written_to_the_stream_of_a_live_WebSocket_is_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true });
        var buffer = new byte[4096];
        var result = await ws.ReceiveAsync(new ArraySegment<byte>(buffer), ct);
        var frame = new byte[] { 0x81, 0x02, (byte)'h', (byte)'i' };
        {|WSH001:stream.Write(frame, 0, frame.Length)|};
        {|WSH001:stream.WriteByte(0x88)|};
    }
}");

        [Fact]
        public Task Response_written_through_the_socket_under_the_transport_is_reported() => VerifyAsync(@"
class C
{
    void M(Socket socket, byte[] response)
    {
        var stream = new NetworkStream(socket, ownsSocket: true);
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        {|WSH001:socket.Send(response)|};
        {|WSH001:stream.Socket.Send(response)|};
    }
}");

        [Fact]
        public Task Response_written_through_the_SslStream_and_its_inner_stream_is_reported() => VerifyAsync(@"
class C
{
    async Task M(NetworkStream inner, byte[] response)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions());
        var ws = WebSocket.CreateFromStream(ssl, true, null, TimeSpan.Zero);
        await {|WSH001:ssl.WriteAsync(response)|};
        await {|WSH001:inner.ReadAsync(response)|};
    }
}");

        [Fact]
        public Task WebSocketProtocol_and_wrapping_streams_are_followed() => VerifyAsync(@"
namespace System.Net.WebSockets
{
    // The System.Net.WebSockets.WebSocketProtocol package is not in the .NET 8 reference pack; the rule finds the type by name.
    public static class WebSocketProtocol
    {
        public static WebSocket CreateFromStream(Stream stream, bool isServer, string? subProtocol, TimeSpan keepAliveInterval) => null!;
    }
}

class C
{
    void M(Socket socket, byte[] data)
    {
        var network = new NetworkStream(socket);
        var buffered = new BufferedStream(network);
        var ws = WebSocketProtocol.CreateFromStream(buffered, true, null, TimeSpan.Zero);
        {|WSH001:network.Write(data, 0, data.Length)|};
        {|WSH001:socket.Receive(data)|};
        {|WSH001:buffered.Flush()|};
    }
}");

        [Fact]
        public Task TcpClient_stream_and_socket_are_roots() => VerifyAsync(@"
class C
{
    async Task M(TcpClient client, byte[] data)
    {
        var ws = WebSocket.CreateFromStream(client.GetStream(), false, null, TimeSpan.Zero);
        await {|WSH001:client.GetStream().WriteAsync(data)|};
        await {|WSH001:client.Client.SendAsync(data, SocketFlags.None)|};
    }
}");

        [Fact]
        public Task Copy_pipes_and_compression_over_the_transport_are_reported() => VerifyAsync(@"
namespace System.IO.Pipelines
{
    // System.IO.Pipelines is not in the .NET 8 reference pack; the rule finds the type by name.
    public abstract class PipeReader { public static PipeReader Create(Stream stream) => null!; }
}

class C
{
    async Task M(Stream stream, Stream other)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await {|WSH001:stream.CopyToAsync(other)|};
        await {|WSH001:other.CopyToAsync(stream)|};
        var reader = {|WSH001:System.IO.Pipelines.PipeReader.Create(stream)|};
        using var gzip = {|WSH001:new GZipStream(stream, CompressionMode.Decompress)|};
        var async = {|WSH001:stream.BeginRead(new byte[1], 0, 1, null, null)|};
    }
}");

        [Fact]
        public Task Transport_in_a_field_used_raw_in_another_member_is_reported() => VerifyAsync(@"
class Connection
{
    private readonly Stream _stream;
    private WebSocket? _ws;

    public Connection(Stream stream) { _stream = stream; }

    public void Start() => _ws = WebSocket.CreateFromStream(_stream, true, null, TimeSpan.Zero);

    public Task SendRawAsync(byte[] data) => {|WSH001:_stream.WriteAsync(data, 0, data.Length)|};

    public void Status() => Console.WriteLine(_stream.CanRead);
}");

        [Fact]
        public Task Transport_in_a_field_is_not_reported_in_a_member_that_detaches_first() => VerifyAsync(@"
class Connection
{
    private readonly Stream _stream;
    private HandoffWebSocket? _ws;

    public Connection(Stream stream) { _stream = stream; }

    public void Start() => _ws = HandoffWebSocket.CreateFromStream(_stream, true, null, TimeSpan.Zero);

    public async Task SwitchAsync(byte[] data)
    {
        var raw = await _ws!.DetachAsync();
        await _stream.WriteAsync(data, 0, data.Length);
        await raw.WriteAsync(data, 0, data.Length);
    }

    public async Task TooEarlyAsync(byte[] data)
    {
        await {|WSH001:_stream.WriteAsync(data, 0, data.Length)|};
    }
}");

        [Fact]
        public Task Handshake_in_a_member_before_it_calls_the_creating_member_is_not_reported() => VerifyAsync(@"
class Connection
{
    private readonly Stream _stream;
    private WebSocket? _ws;

    public Connection(Stream stream) { _stream = stream; }

    private void StartWebSocket() => _ws = WebSocket.CreateFromStream(_stream, true, null, TimeSpan.Zero);

    public async Task RunAsync(byte[] response)
    {
        await _stream.WriteAsync(response, 0, response.Length);
        StartWebSocket();
        await {|WSH001:_stream.FlushAsync()|};
    }
}");

        [Fact]
        public Task Private_handshake_helper_called_before_the_creation_is_not_reported() => VerifyAsync(@"
class Connection
{
    private readonly NetworkStream _stream;
    private WebSocket? _ws;

    public Connection(NetworkStream stream) { _stream = stream; }

    public async Task StartAsync(byte[] response)
    {
        await HandshakeAsync(response);
        _ws = WebSocket.CreateFromStream(_stream, true, null, TimeSpan.Zero);
        await LateAsync(response);
    }

    private async Task HandshakeAsync(byte[] response)
    {
        using var reader = new StreamReader(_stream, leaveOpen: true);
        await reader.ReadLineAsync();
        await _stream.WriteAsync(response);
    }

    private Task LateAsync(byte[] data) => {|WSH001:_stream.WriteAsync(data, 0, data.Length)|};
}");

        [Fact]
        public Task HandoffWebSocket_used_raw_without_a_detach_is_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] data)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await {|WSH001:stream.WriteAsync(data)|};
    }
}");

        // ---- Flow ----

        [Fact]
        public Task Raw_use_on_the_branch_without_a_detach_is_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] data, bool upgrade)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        if (upgrade)
        {
            var raw = await ws.DetachAsync();
            await raw.WriteAsync(data);
            await stream.FlushAsync();
        }
        else
        {
            await {|WSH001:stream.WriteAsync(data)|};
        }

        await {|WSH001:stream.FlushAsync()|};
    }
}");

        [Fact]
        public Task Raw_use_after_a_detach_on_every_path_is_not_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] data, bool final)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        Stream raw;
        if (final)
            raw = await ws.SendAndDetachAsync(data, WebSocketMessageType.Binary);
        else
            raw = ws.Detach();
        await stream.FlushAsync();
        await raw.WriteAsync(data);
    }
}");

        [Fact]
        public Task Detach_through_an_alias_or_a_type_pattern_counts() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] data)
    {
        WebSocket ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        if (ws is HandoffWebSocket handoff)
        {
            var raw = await handoff.DetachAsync();
            await stream.FlushAsync();
        }

        var alias = (HandoffWebSocket)ws;
        alias.Detach();
        await stream.WriteAsync(data);
    }
}");

        [Fact]
        public Task Raw_use_in_a_loop_after_the_creation_is_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] buffer)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        while (true)
        {
            var n = await {|WSH001:stream.ReadAsync(buffer, 0, buffer.Length)|};
            if (n == 0) break;
        }
    }
}");

        [Fact]
        public Task Raw_use_reached_by_a_loop_back_edge_is_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] buffer)
    {
        WebSocket? ws = null;
        for (var i = 0; i < 3; i++)
        {
            if (ws != null)
                await {|WSH001:stream.WriteAsync(buffer)|};
            ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        }
    }
}");

        [Fact]
        public Task Raw_use_in_the_next_iteration_after_a_WebSocket_scoped_to_the_loop_is_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, Stream backend, string[] modes)
    {
        foreach (var mode in modes)
        {
            switch (mode)
            {
                case ""ws"":
                    var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                    await ws.ReceiveAsync(new byte[1], default);
                    break;
                case ""raw"":
                    await {|WSH001:stream.CopyToAsync(backend)|};
                    break;
            }
        }
    }
}");

        [Fact]
        public Task Raw_use_in_finally_is_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] buffer)
    {
        try
        {
            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
            await ws.ReceiveAsync(buffer, default);
        }
        finally
        {
            await {|WSH001:stream.FlushAsync()|};
        }
    }
}");

        [Fact]
        public Task Raw_use_in_catch_after_a_failed_detach_is_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] buffer)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        try
        {
            var raw = await ws.DetachAsync();
            await raw.WriteAsync(buffer);
        }
        catch (InvalidOperationException)
        {
            await {|WSH001:stream.WriteAsync(buffer)|};
        }
    }
}");

        [Fact]
        public Task Raw_use_in_a_lambda_created_after_the_creation_is_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, Stream other)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        var pump = Task.Run(async () => await {|WSH001:stream.CopyToAsync(other)|});
        await pump;
    }
}");

        [Fact]
        public Task Raw_use_in_a_local_function_called_after_the_creation_is_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] data)
    {
        await Handshake();
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await Send();

        Task Handshake() => stream.WriteAsync(data, 0, data.Length);
        Task Send() => {|WSH001:stream.FlushAsync()|};
    }
}");

        [Fact]
        public Task Local_function_that_detaches_counts_as_a_detach() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] data)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        var raw = await Handoff();
        await stream.WriteAsync(data);

        async Task<Stream> Handoff() => await ws.DetachAsync();
    }
}");

        [Fact]
        public Task Top_level_statements_are_analyzed() => Verify.VerifyProgramAsync(Usings + @"
var stream = new MemoryStream();
var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
{|WSH001:stream.Write(new byte[1], 0, 1)|};
");

        // ---- Negatives: the code people really write ----

        [Fact]
        public Task Handshake_before_the_creation_is_not_reported() => VerifyAsync(@"
class C
{
    async Task<WebSocket> AcceptAsync(TcpClient client)
    {
        var stream = client.GetStream();
        var reader = new StreamReader(stream, Encoding.ASCII, false, 1024, leaveOpen: true);
        while (!string.IsNullOrEmpty(await reader.ReadLineAsync())) { }
        var response = Encoding.ASCII.GetBytes(""HTTP/1.1 101 Switching Protocols\r\n\r\n"");
        await stream.WriteAsync(response, 0, response.Length);
        await client.Client.SendAsync(response, SocketFlags.None);
        return WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30));
    }
}");

        [Fact]
        public Task Echo_loop_is_not_reported() => VerifyAsync(@"
class C
{
    async Task EchoAsync(Stream stream, CancellationToken ct)
    {
        using var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30));
        var buffer = new byte[4096];
        while (ws.State == WebSocketState.Open)
        {
            var result = await ws.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                break;
            }

            await ws.SendAsync(new ArraySegment<byte>(buffer, 0, result.Count), result.MessageType, result.EndOfMessage, ct);
        }
    }
}");

        [Fact]
        public Task ClientWebSocket_is_not_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream log, byte[] data)
    {
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(new Uri(""wss://example.com""), default);
        await ws.SendAsync(data, WebSocketMessageType.Binary, true, default);
        await log.WriteAsync(data);
    }
}");

        [Fact]
        public Task Accepted_WebSocket_without_a_creation_is_not_reported() => VerifyAsync(@"
class C
{
    async Task HandleAsync(WebSocket ws, Stream body, byte[] buffer)
    {
        var result = await ws.ReceiveAsync(buffer, default);
        await body.WriteAsync(buffer, 0, result.Count);
        await body.FlushAsync();
    }
}");

        [Fact]
        public Task Raw_use_of_another_stream_next_to_a_live_WebSocket_is_not_reported() => VerifyAsync(@"
class Websockify
{
    async Task BridgeAsync(TcpClient browser, TcpClient backend, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(browser.GetStream(), true, null, TimeSpan.FromSeconds(20));
        var tcp = backend.GetStream();
        var buffer = new byte[8192];
        var toBackend = Task.Run(async () =>
        {
            while (true)
            {
                var r = await ws.ReceiveAsync(buffer, ct);
                await tcp.WriteAsync(buffer, 0, r.Count, ct);
            }
        });
        var back = new byte[8192];
        int n;
        while ((n = await tcp.ReadAsync(back, 0, back.Length, ct)) > 0)
        {
            await ws.SendAsync(new ArraySegment<byte>(back, 0, n), WebSocketMessageType.Binary, true, ct);
        }

        await toBackend;
    }
}");

        [Fact]
        public Task Raw_use_after_an_upgrade_with_no_WebSocket_is_not_reported() => VerifyAsync(@"
class C
{
    async Task<Stream> UpgradeAsync(Stream stream, byte[] response)
    {
        await stream.WriteAsync(response);
        await stream.FlushAsync();
        var buffer = new byte[16];
        await stream.ReadAsync(buffer);
        return stream;
    }
}");

        [Fact]
        public Task WebSocket_used_as_a_stream_through_an_adapter_is_not_reported() => VerifyAsync(@"
sealed class WebSocketStream : Stream
{
    private readonly WebSocket _ws;
    public WebSocketStream(WebSocket ws) { _ws = ws; }
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => 0; set { } }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => 0;
    public override long Seek(long offset, SeekOrigin origin) => 0;
    public override void SetLength(long value) { }
    public override void Write(byte[] buffer, int offset, int count) { }
}

class C
{
    async Task M(Stream transport, byte[] data)
    {
        var ws = WebSocket.CreateFromStream(transport, true, null, TimeSpan.Zero);
        var adapter = new WebSocketStream(ws);
        await adapter.WriteAsync(data);
        using var reader = new StreamReader(adapter);
        await adapter.FlushAsync();
    }
}");

        [Fact]
        public Task A_type_merely_named_WebSocket_is_not_reported() => VerifyAsync(@"
namespace Fake
{
    class WebSocket
    {
        public static WebSocket CreateFromStream(Stream stream, bool isServer, string? subProtocol, TimeSpan keepAlive) => new WebSocket();
    }

    class C
    {
        void M(Stream stream, byte[] data)
        {
            var ws = Fake.WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
            stream.Write(data, 0, data.Length);
        }
    }
}");

        [Fact]
        public Task Generated_code_is_not_reported() => Verify.VerifyAsync(@"// <auto-generated/>
" + Usings + @"
class C
{
    void M(Stream stream, byte[] data)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        stream.Write(data, 0, data.Length);
    }
}");

        [Fact]
        public Task Property_access_dispose_and_user_methods_are_not_raw_uses() => VerifyAsync(@"
class C
{
    void M(NetworkStream stream)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        stream.ReadTimeout = 1000;
        Console.WriteLine(stream.CanWrite + "" "" + stream.Socket.RemoteEndPoint);
        Log(stream);
        stream.Close();
        stream.Dispose();
    }

    static void Log(Stream s) { }
}");

        [Fact]
        public Task Accept_loop_with_handshake_before_each_creation_is_not_reported() => VerifyAsync(@"
class C
{
    async Task AcceptLoopAsync(TcpListener listener, byte[] response)
    {
        while (true)
        {
            var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            await stream.WriteAsync(response);
            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30));
            _ = ws.ReceiveAsync(new byte[16], default);
        }
    }
}");

        [Fact]
        public Task Local_function_called_only_before_the_creation_is_not_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] data)
    {
        await Handshake();
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);

        Task Handshake() => stream.WriteAsync(data, 0, data.Length);
    }
}");

        [Fact]
        public Task Broken_code_does_not_crash_the_analyzer() => Verify.VerifyBrokenCodeAsync(Usings + @"
class C
{
    async Task M(Stream stream, byte[] data)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, );
        var other = WebSocket.CreateFromStream(;
        var third = Missing.CreateFromStream(stream);
        await stream.WriteAsync(data
        HandoffWebSocket.CreateFromStream(undefined, true, null, TimeSpan.Zero).Detach().Write(
    }

    void N(Stream s) => WebSocket.CreateFromStream(s, true, null, TimeSpan.Zero).
");

        // ---- The plan the code fix reads ----

        [Fact]
        public async Task Diagnostic_carries_the_handoff_plan()
        {
            var source = Usings + @"
class C
{
    async Task M(Stream stream, byte[] buffer, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30));
        var result = await ws.ReceiveAsync(buffer, ct);
        if (result.MessageType == WebSocketMessageType.Close) return;
        await stream.WriteAsync(buffer, 0, 10, ct);
        var n = await stream.ReadAsync(buffer, ct);
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
    }
}";
            var diagnostics = await Verify.GetDiagnosticsAsync(source);
            Assert.Equal(2, diagnostics.Length);
            foreach (var diagnostic in diagnostics)
            {
                Assert.Equal(
                    new[]
                    {
                        "WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30))",
                        "await stream.WriteAsync(buffer, 0, 10, ct);",
                        "stream",
                        "stream",
                        "ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)",
                    },
                    Texts(source, diagnostic));
                Assert.Equal("Bcl", diagnostic.Properties["CreationKind"]);
                Assert.Equal("true", diagnostic.Properties["CanAwait"]);
                Assert.Equal("2", diagnostic.Properties["RootCount"]);
                Assert.Equal("1", diagnostic.Properties["CloseCount"]);
                Assert.Equal("true", diagnostic.Properties["Fixable"]);
            }
        }

        [Fact]
        public async Task Plan_in_a_lambda_says_whether_the_lambda_can_await()
        {
            var source = Usings + @"
class C
{
    void M(Stream stream, byte[] data)
    {
        Func<Task> run = async () =>
        {
            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
            await stream.WriteAsync(data);
        };
        Action sync = () =>
        {
            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
            stream.Write(data, 0, 1);
        };
    }
}";
            var diagnostics = await Verify.GetDiagnosticsAsync(source);
            Assert.Equal(2, diagnostics.Length);
            Assert.Equal("true", diagnostics[0].Properties["CanAwait"]);
            Assert.Equal("true", diagnostics[0].Properties["Fixable"]);
            Assert.Equal("await stream.WriteAsync(data);", Texts(source, diagnostics[0])[1]);
            Assert.Equal("false", diagnostics[1].Properties["CanAwait"]);
            Assert.Equal("true", diagnostics[1].Properties["Fixable"]);
        }

        [Fact]
        public async Task Plan_moves_the_detach_out_of_a_loop_and_is_not_fixable_for_a_socket_or_a_lambda()
        {
            var source = Usings + @"
class C
{
    void M(Socket socket, NetworkStream stream, byte[] buffer)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        Console.WriteLine();
        while (stream.Read(buffer, 0, buffer.Length) > 0)
        {
            stream.Write(buffer, 0, 1);
        }
    }

    void N(Stream stream, byte[] buffer)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        Action later = () => stream.Write(buffer, 0, 1);
    }

    void O(NetworkStream stream, byte[] buffer)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        stream.Socket.Send(buffer);
    }
}";
            var diagnostics = await Verify.GetDiagnosticsAsync(source);
            Assert.Equal(4, diagnostics.Length);
            Assert.Equal("while (stream.Read(buffer, 0, buffer.Length) > 0)", Texts(source, diagnostics[0])[1].Split('\n')[0].TrimEnd());
            Assert.Equal("false", diagnostics[0].Properties["CanAwait"]);
            Assert.Equal("true", diagnostics[0].Properties["Fixable"]);
            Assert.Equal("2", diagnostics[0].Properties["RootCount"]);
            Assert.Equal("false", diagnostics[2].Properties["Fixable"]);
            Assert.Equal("false", diagnostics[3].Properties["Fixable"]);
            Assert.Equal("stream.Socket", Texts(source, diagnostics[3])[2]);
        }

        private static string[] Texts(string source, Microsoft.CodeAnalysis.Diagnostic diagnostic) =>
            diagnostic.AdditionalLocations.Select(l => source.Substring(l.SourceSpan.Start, l.SourceSpan.Length)).ToArray();
    }
}
