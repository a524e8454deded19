using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using WebSocketHandoff.Analyzers;
using WebSocketHandoff.Analyzers.Rules;

namespace WebSocketHandoff.Analyzers.Tests.Review
{
    /// <summary>
    /// Fresh-eyes review: programs written the way users write WebSocket-to-raw handoffs and ordinary WebSocket code
    /// (TcpClient upgrades, TLS tunnels, accept loops, bridges raced by Task.WhenAny, fields set in constructors, primary
    /// constructors, records, top-level statements, nullable code, half-typed code), each run through all six rules at
    /// once: the markup is every diagnostic any rule may report, and nothing else is.
    /// </summary>
    public class FreshEyesShapesTests
    {
        private static Task VerifyAsync(string code) => new AllRulesTest { TestCode = ReviewSources.Usings + code }.RunAsync(CancellationToken.None);

        private static Task VerifyProgramAsync(string code)
        {
            var test = new AllRulesTest { TestCode = ReviewSources.Usings + code };
            test.TestState.OutputKind = OutputKind.ConsoleApplication;
            return test.RunAsync(CancellationToken.None);
        }

        /// <summary>Code with compiler errors: no analyzer may throw (AD0001 fails the test) or report.</summary>
        private static Task VerifyBrokenAsync(string code) =>
            new AllRulesTest { TestCode = ReviewSources.Usings + code, CompilerDiagnostics = CompilerDiagnostics.None }.RunAsync(CancellationToken.None);

        /// <summary>TcpClient client, manual HTTP upgrade before the creation, then WS echo: silent.</summary>
        [Fact]
        public Task Tcp_client_with_a_hand_written_upgrade_before_the_creation_is_silent() => VerifyAsync("""
                class WsClient
                {
                    public static async Task RunAsync(string host, int port, CancellationToken ct)
                    {
                        using var tcp = new TcpClient();
                        await tcp.ConnectAsync(host, port, ct);
                        await using var stream = tcp.GetStream();
                        var key = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
                        var request = $"GET /chat HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
                        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), ct);
                        var header = new StringBuilder();
                        var one = new byte[1];
                        while (!header.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
                        {
                            if (await stream.ReadAsync(one, ct) == 0) throw new IOException("closed during handshake");
                            header.Append((char)one[0]);
                        }
                        if (!header.ToString().StartsWith("HTTP/1.1 101", StringComparison.Ordinal)) throw new InvalidOperationException(header.ToString());
                        using var ws = WebSocket.CreateFromStream(stream, isServer: false, subProtocol: null, keepAliveInterval: TimeSpan.FromSeconds(20));
                        await ws.SendAsync(Encoding.UTF8.GetBytes("hello"), WebSocketMessageType.Text, true, ct);
                        var buffer = new byte[1024];
                        var result = await ws.ReceiveAsync(buffer, ct);
                        Console.WriteLine(Encoding.UTF8.GetString(buffer, 0, result.Count));
                        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", ct);
                    }
                }
                """);

        /// <summary>Bridge written wrong: after "upgrade" the same transport is copied both ways with WhenAny; close in finally.</summary>
        [Fact]
        public Task Bridge_racing_copies_of_the_transport_with_WhenAny_reports_both_copies_the_keep_alive_and_the_close_in_the_finally() => VerifyAsync("""
                class BadBridge
                {
                    public async Task RunAsync(TcpClient client, TcpClient backend, CancellationToken ct)
                    {
                        var stream = client.GetStream();
                        var upstream = backend.GetStream();
                        var ws = {|WSH003:WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30))|};
                        try
                        {
                            var buf = new byte[256];
                            var r = await ws.ReceiveAsync(buf, ct);
                            if (Encoding.UTF8.GetString(buf, 0, r.Count) != "upgrade") return;
                            var up = {|WSH001:stream.CopyToAsync(upstream, ct)|};
                            var down = {|WSH001:upstream.CopyToAsync(stream, ct)|};
                            await Task.WhenAny(up, down);
                        }
                        finally
                        {
                            await {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None)|};
                        }
                    }
                }
                """);

        /// <summary>SslStream tunnel done right with HandoffWebSocket: silent.</summary>
        [Fact]
        public Task Tls_tunnel_that_detaches_before_copying_both_ways_is_silent() => VerifyAsync("""
                class TlsTunnel
                {
                    public static async Task RunAsync(TcpClient client, System.Security.Cryptography.X509Certificates.X509Certificate2 cert, Stream backend, CancellationToken ct)
                    {
                        await using var ssl = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
                        await ssl.AuthenticateAsServerAsync(cert);
                        var req = new byte[4096];
                        _ = await ssl.ReadAsync(req, ct);
                        await ssl.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"), ct);
                        using var ws = HandoffWebSocket.CreateFromStream(ssl, isServer: true, subProtocol: "tunnel", keepAliveInterval: TimeSpan.FromSeconds(15));
                        var buf = new byte[64];
                        var first = await ws.ReceiveAsync(buf.AsMemory(), ct);
                        if (first.MessageType == WebSocketMessageType.Close) return;
                        var raw = await ws.DetachAsync(ct);
                        var a = raw.CopyToAsync(backend, ct);
                        var b = backend.CopyToAsync(raw, ct);
                        await Task.WhenAny(a, b);
                    }
                }
                """);

        /// <summary>Server accept loop with await using / using var, echo only: silent.</summary>
        [Fact]
        public Task Accept_loop_with_await_using_and_a_StreamReader_handshake_then_an_echo_loop_is_silent() => VerifyAsync("""
                class EchoServer
                {
                    public async Task ServeAsync(TcpListener listener, CancellationToken ct)
                    {
                        while (!ct.IsCancellationRequested)
                        {
                            using var client = await listener.AcceptTcpClientAsync(ct);
                            await using var stream = client.GetStream();
                            using var reader = new StreamReader(stream, Encoding.ASCII, false, 1024, leaveOpen: true);
                            string? line;
                            while (!string.IsNullOrEmpty(line = await reader.ReadLineAsync(ct))) { }
                            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 101 Switching Protocols\r\n\r\n"), ct);
                            using var ws = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.FromSeconds(10) });
                            var buffer = new byte[4096];
                            while (ws.State == WebSocketState.Open)
                            {
                                var r = await ws.ReceiveAsync(buffer, ct);
                                if (r.MessageType == WebSocketMessageType.Close)
                                {
                                    await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                                    break;
                                }
                                await ws.SendAsync(new ArraySegment<byte>(buffer, 0, r.Count), r.MessageType, r.EndOfMessage, ct);
                            }
                        }
                    }
                }
                """);

        /// <summary>Helper methods that take the stream as parameter: passing the root to a user method is not a raw use.</summary>
        [Fact]
        public Task Static_stream_helpers_called_with_the_transport_are_not_raw_uses() => VerifyAsync("""
                static class StreamHelpers
                {
                    public static async Task WriteLineAsync(Stream s, string line, CancellationToken ct) => await s.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"), ct);
                    public static Task PumpAsync(Stream from, Stream to, CancellationToken ct) => from.CopyToAsync(to, ct);
                }
                class Upgrader
                {
                    public async Task RunAsync(NetworkStream stream, Stream other, CancellationToken ct)
                    {
                        await StreamHelpers.WriteLineAsync(stream, "HTTP/1.1 101 Switching Protocols", ct);
                        await StreamHelpers.WriteLineAsync(stream, "", ct);
                        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        await ws.ReceiveAsync(new byte[8].AsMemory(), ct);
                        var raw = await ws.DetachAsync(ct);
                        await StreamHelpers.PumpAsync(raw, other, ct);
                    }
                }
                """);

        /// <summary>Fields set in a constructor: socket + stream; raw sends on the socket field in other members.</summary>
        [Fact]
        public Task Socket_field_a_constructor_wraps_in_the_transport_is_a_root_in_the_other_members() => VerifyAsync("""
                sealed class Session : IDisposable
                {
                    private readonly Socket _socket;
                    private readonly NetworkStream _stream;
                    private readonly WebSocket _ws;

                    public Session(Socket socket)
                    {
                        _socket = socket;
                        _stream = new NetworkStream(socket, ownsSocket: true);
                        _ws = {|WSH003:WebSocket.CreateFromStream(_stream, true, null, TimeSpan.FromSeconds(20))|};
                    }

                    public Task SendTextAsync(string text, CancellationToken ct) => _ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, ct);

                    public async Task SendRawAsync(byte[] data, CancellationToken ct)
                    {
                        await {|WSH001:_socket.SendAsync(data, SocketFlags.None, ct)|};
                    }

                    public int Available => _socket.Available;

                    public void Dispose()
                    {
                        _ws.Dispose();
                        _stream.Dispose();
                        _socket.Dispose();
                    }
                }
                """);

        /// <summary>Async local functions.</summary>
        [Fact]
        public Task Async_local_function_pumping_the_transport_is_reported_and_one_that_detaches_first_is_silent() => VerifyAsync("""
                class LocalFns
                {
                    public async Task BadAsync(Stream stream, Stream dest, CancellationToken ct)
                    {
                        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        await ws.ReceiveAsync(new byte[4].AsMemory(), ct);
                        await PumpAsync();

                        async Task PumpAsync()
                        {
                            var buffer = new byte[8192];
                            int n;
                            while ((n = await {|WSH001:stream.ReadAsync(buffer, ct)|}) > 0)
                                await dest.WriteAsync(buffer.AsMemory(0, n), ct);
                        }
                    }

                    public async Task GoodAsync(Stream stream, Stream dest, CancellationToken ct)
                    {
                        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
                        await ws.ReceiveAsync(new byte[4].AsMemory(), ct);
                        var raw = await SwitchAsync();
                        await raw.CopyToAsync(dest, ct);

                        async Task<Stream> SwitchAsync()
                        {
                            var s = await ws.DetachAsync(ct);
                            await s.WriteAsync(new byte[] { 0 }, ct);
                            return s;
                        }
                    }
                }
                """);

        /// <summary>Switch statement / switch expression dispatch on received text.</summary>
        [Fact]
        public Task Switch_dispatch_returning_the_detach_is_silent_and_a_raw_read_in_a_switch_expression_arm_is_reported() => VerifyAsync("""
                enum Mode { Text, Raw }
                class Dispatcher
                {
                    public async Task<Stream?> LoopAsync(HandoffWebSocket ws, CancellationToken ct)
                    {
                        var buffer = new byte[1024];
                        while (true)
                        {
                            var r = await ws.ReceiveAsync(buffer.AsMemory(), ct);
                            var command = Encoding.UTF8.GetString(buffer, 0, r.Count);
                            switch (command)
                            {
                                case "ping":
                                    await ws.SendAsync(Encoding.UTF8.GetBytes("pong"), WebSocketMessageType.Text, true, ct);
                                    break;
                                case "upgrade":
                                    return await ws.DetachAsync(ct);
                                case "quit":
                                    await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                                    return null;
                                default:
                                    break;
                            }
                        }
                    }

                    public async Task<int> ReadSomeAsync(Stream stream, Mode mode, byte[] buf, CancellationToken ct)
                    {
                        var ws = WebSocket.CreateFromStream(stream, false, null, TimeSpan.Zero);
                        return mode switch
                        {
                            Mode.Raw => await {|WSH001:stream.ReadAsync(buf, ct)|},
                            _ => (await ws.ReceiveAsync(buf, ct)).Count,
                        };
                    }
                }
                """);

        /// <summary>Try/finally cleanup.</summary>
        [Fact]
        public Task Try_finally_cleanup_is_silent_after_a_detach_and_reports_a_raw_write_and_the_State_guarded_close_of_a_BCL_WebSocket() => VerifyAsync("""
                class Cleanup
                {
                    public async Task GoodAsync(TcpClient client, Stream backend, CancellationToken ct)
                    {
                        var stream = client.GetStream();
                        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(10));
                        try
                        {
                            await ws.ReceiveAsync(new byte[16].AsMemory(), ct);
                            var raw = await ws.DetachAsync(ct);
                            await raw.CopyToAsync(backend, ct);
                        }
                        finally
                        {
                            ws.Dispose();
                            stream.Dispose();
                            client.Dispose();
                        }
                    }

                    public async Task BadAsync(TcpClient client, CancellationToken ct)
                    {
                        var stream = client.GetStream();
                        var ws = {|WSH003:WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(10))|};
                        try
                        {
                            await ws.ReceiveAsync(new byte[16].AsMemory(), ct);
                            await {|WSH001:stream.WriteAsync(new byte[] { 1, 2, 3 }, ct)|};
                        }
                        finally
                        {
                            if (ws.State == WebSocketState.Open)
                                await {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
                        }
                    }
                }
                """);

        /// <summary>Linked CTS, HandoffWebSocket, detach with a timeout token: silent.</summary>
        [Fact]
        public Task Linked_token_source_with_a_detach_under_a_timeout_is_silent() => VerifyAsync("""
                class Linked
                {
                    public static async Task<Stream> UpgradeAsync(Stream stream, TimeSpan timeout, CancellationToken ct)
                    {
                        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                        cts.CancelAfter(timeout);
                        var ws = HandoffWebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.FromSeconds(5) });
                        var buffer = new byte[128];
                        ValueWebSocketReceiveResult r;
                        do
                        {
                            r = await ws.ReceiveAsync(buffer.AsMemory(), cts.Token);
                        } while (!r.EndOfMessage);
                        var raw = await ws.DetachAsync(cts.Token);
                        await raw.FlushAsync(cts.Token);
                        return raw;
                    }
                }
                """);

        /// <summary>Websockify bridge with Task.WhenAny of two local-function loops: different streams, silent.</summary>
        [Fact]
        public Task Websockify_bridge_of_two_local_functions_raced_by_WhenAny_is_silent() => VerifyAsync("""
                class Websockify
                {
                    public async Task BridgeAsync(WebSocket ws, TcpClient target, CancellationToken ct)
                    {
                        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                        var tcp = target.GetStream();
                        var toTcp = WsToTcpAsync();
                        var toWs = TcpToWsAsync();
                        var done = await Task.WhenAny(toTcp, toWs);
                        cts.Cancel();
                        if (ws.State == WebSocketState.Open)
                            await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "bridge ended", CancellationToken.None);

                        async Task WsToTcpAsync()
                        {
                            var buf = new byte[16384];
                            while (!cts.IsCancellationRequested)
                            {
                                var r = await ws.ReceiveAsync(buf.AsMemory(), cts.Token);
                                if (r.MessageType == WebSocketMessageType.Close) return;
                                await tcp.WriteAsync(buf.AsMemory(0, r.Count), cts.Token);
                            }
                        }

                        async Task TcpToWsAsync()
                        {
                            var buf = new byte[16384];
                            int n;
                            while ((n = await tcp.ReadAsync(buf, cts.Token)) > 0)
                                await ws.SendAsync(buf.AsMemory(0, n), WebSocketMessageType.Binary, true, cts.Token);
                        }
                    }
                }
                """);

        /// <summary>SendAndDetachAsync then raw; Detach() sync; IsDetached guards: silent.</summary>
        [Fact]
        public Task SendAndDetach_Detach_and_IsDetached_guards_are_silent() => VerifyAsync("""
                class Correct
                {
                    public async Task<Stream> AckAndSwitchAsync(HandoffWebSocket ws, CancellationToken ct)
                    {
                        var buf = new byte[32];
                        await ws.ReceiveAsync(buf.AsMemory(), ct);
                        var raw = await ws.SendAndDetachAsync(Encoding.UTF8.GetBytes("OK"), WebSocketMessageType.Text, ct);
                        await raw.WriteAsync(new byte[] { 0x01 }, ct);
                        return raw;
                    }

                    public Stream SwitchNow(HandoffWebSocket ws)
                    {
                        Stream raw = ws.Detach();
                        raw.Write(new byte[] { 0x02 });
                        raw.Flush();
                        return raw;
                    }

                    public async Task ShutdownAsync(HandoffWebSocket ws, CancellationToken ct)
                    {
                        if (!ws.IsDetached)
                            await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                        ws.Dispose();
                    }

                    public async Task RunAsync(Stream stream, bool upgrade, CancellationToken ct)
                    {
                        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30));
                        try
                        {
                            if (upgrade)
                            {
                                var raw = await ws.DetachAsync(ct);
                                await raw.WriteAsync(new byte[1], ct);
                            }
                        }
                        finally
                        {
                            if (!ws.IsDetached)
                                await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                        }
                    }
                }
                """);

        /// <summary>WSH005 guarded by State in the loop condition: the HandoffWebSocket reports Closed once detached.</summary>
        [Fact]
        public Task Receive_loops_guarded_by_State_or_IsDetached_that_detach_inside_are_silent() => VerifyAsync("""
                class StateLoop
                {
                    public async Task<Stream?> RunAsync(HandoffWebSocket ws, CancellationToken ct)
                    {
                        Stream? raw = null;
                        var buffer = new byte[512];
                        while (ws.State == WebSocketState.Open)
                        {
                            var r = await ws.ReceiveAsync(buffer.AsMemory(), ct);
                            if (r.MessageType == WebSocketMessageType.Text && Encoding.UTF8.GetString(buffer, 0, r.Count) == "raw")
                                raw = await ws.DetachAsync(ct);
                        }
                        return raw;
                    }

                    public async Task<Stream?> Run2Async(HandoffWebSocket ws, CancellationToken ct)
                    {
                        Stream? raw = null;
                        var buffer = new byte[512];
                        while (!ws.IsDetached)
                        {
                            var r = await ws.ReceiveAsync(buffer.AsMemory(), ct);
                            if (r.Count == 3)
                                raw = await ws.DetachAsync(ct);
                        }
                        return raw;
                    }
                }
                """);

        /// <summary>Ordinary ClientWebSocket code, ValueTask receive, ArrayPool, no transport: silent.</summary>
        [Fact]
        public Task ClientWebSocket_with_pooled_buffers_and_a_MemoryStream_reader_is_silent() => VerifyAsync("""
                class Ordinary
                {
                    public static async Task ChatAsync(Uri uri, CancellationToken ct)
                    {
                        using var ws = new ClientWebSocket();
                        ws.Options.KeepAliveInterval = TimeSpan.FromSeconds(30);
                        await ws.ConnectAsync(uri, ct);
                        var rent = System.Buffers.ArrayPool<byte>.Shared.Rent(4096);
                        try
                        {
                            await ws.SendAsync(Encoding.UTF8.GetBytes("hi").AsMemory(), WebSocketMessageType.Text, true, ct);
                            using var ms = new MemoryStream();
                            ValueWebSocketReceiveResult r;
                            do
                            {
                                r = await ws.ReceiveAsync(rent.AsMemory(), ct);
                                ms.Write(rent, 0, r.Count);
                            } while (!r.EndOfMessage);
                            ms.Position = 0;
                            using var reader = new StreamReader(ms);
                            Console.WriteLine(await reader.ReadToEndAsync());
                            await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                        }
                        finally
                        {
                            System.Buffers.ArrayPool<byte>.Shared.Return(rent);
                        }
                    }
                }
                """);

        /// <summary>Top-level statements: handshake, HandoffWebSocket, SendAndDetachAsync, raw copy: silent.</summary>
        [Fact]
        public Task Top_level_statements_that_SendAndDetach_then_copy_the_detached_stream_are_silent() => VerifyProgramAsync("""
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                using var client = await listener.AcceptTcpClientAsync();
                var stream = client.GetStream();
                var request = new byte[2048];
                await stream.ReadAsync(request);
                await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 101 Switching Protocols\r\n\r\n"));
                var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30));
                var msg = new byte[64];
                await ws.ReceiveAsync(msg.AsMemory(), default);
                var raw = await ws.SendAndDetachAsync(Encoding.UTF8.GetBytes("go raw"), WebSocketMessageType.Text);
                await raw.CopyToAsync(Console.OpenStandardOutput());
                """);

        /// <summary>Top-level statements, BCL socket, raw use after the creation.</summary>
        [Fact]
        public Task Top_level_statements_writing_raw_after_the_creation_are_reported() => VerifyProgramAsync("""
                using var tcp = new TcpClient("localhost", 8080);
                var stream = tcp.GetStream();
                await stream.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n"));
                await stream.ReadAsync(new byte[1024]);
                var ws = {|WSH003:WebSocket.CreateFromStream(stream, false, null, TimeSpan.FromSeconds(10))|};
                await ws.SendAsync(Encoding.UTF8.GetBytes("SWITCH"), WebSocketMessageType.Text, true, CancellationToken.None);
                await {|WSH001:stream.WriteAsync(new byte[] { 1, 2, 3 })|};
                Console.WriteLine(await {|WSH001:new StreamReader(stream)|}.ReadLineAsync());
                """);

        /// <summary>C# 12 primary constructor; creation in a field initializer.</summary>
        [Fact]
        public Task Primary_constructor_parameter_of_a_field_initializer_creation_is_a_root_in_every_member() => VerifyAsync("""
                sealed class Tunnel(NetworkStream stream, TimeSpan keepAlive)
                {
                    private readonly WebSocket _ws = {|WSH003:WebSocket.CreateFromStream(stream, true, null, keepAlive)|};

                    public Task SendAsync(byte[] data, CancellationToken ct) => _ws.SendAsync(data, WebSocketMessageType.Binary, true, ct);

                    public ValueTask RawAsync(byte[] data, CancellationToken ct) => {|WSH001:stream.WriteAsync(data, ct)|};
                }

                sealed class Tunnel2
                {
                    private readonly Stream _stream;
                    private readonly WebSocket _ws;
                    public Tunnel2(Stream stream) { _stream = stream; _ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero); }
                    public ValueTask RawAsync(byte[] data, CancellationToken ct) => {|WSH001:_stream.WriteAsync(data, ct)|};
                }
                """);

        /// <summary>Records.</summary>
        [Fact]
        public Task Record_holding_the_HandoffWebSocket_detached_is_silent_and_a_raw_write_without_the_detach_is_reported() => VerifyAsync("""
                record Connection(Stream Stream, HandoffWebSocket Socket);
                record struct Endpoint(string Host, int Port);
                class RecordUser
                {
                    public async Task RunAsync(Stream s, CancellationToken ct)
                    {
                        var conn = new Connection(s, HandoffWebSocket.CreateFromStream(s, true, null, TimeSpan.Zero));
                        await conn.Socket.ReceiveAsync(new byte[4].AsMemory(), ct);
                        var raw = await conn.Socket.DetachAsync(ct);
                        await raw.WriteAsync(new byte[1], ct);
                    }

                    public async Task BadAsync(Stream s, CancellationToken ct)
                    {
                        var conn = new Connection(s, HandoffWebSocket.CreateFromStream(s, true, null, TimeSpan.Zero));
                        await conn.Socket.ReceiveAsync(new byte[4].AsMemory(), ct);
                        await {|WSH001:s.WriteAsync(new byte[1], ct)|};
                    }
                }
                """);

        /// <summary>Nullable-annotated fields.</summary>
        [Fact]
        public Task Nullable_annotated_fields_with_a_detach_and_a_property_pattern_guard_are_silent() => VerifyAsync("""
                #nullable enable
                sealed class Peer
                {
                    private Stream? _stream;
                    private HandoffWebSocket? _ws;
                    private Stream? _raw;

                    public void Attach(Stream stream)
                    {
                        _stream = stream;
                        _ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
                    }

                    public async Task SwitchAsync(CancellationToken ct)
                    {
                        if (_ws is null) return;
                        _raw = await _ws.DetachAsync(ct);
                        await _raw.WriteAsync(new byte[] { 1 }, ct);
                    }

                    public async Task ReceiveAsync(byte[] buffer, CancellationToken ct)
                    {
                        if (_ws is { IsDetached: false } ws)
                            await ws.ReceiveAsync(buffer.AsMemory(), ct);
                    }

                    public void Close()
                    {
                        _ws?.Dispose();
                        _stream?.Dispose();
                    }
                }
                """);

        /// <summary>Half-typed code.</summary>
        [Fact]
        public Task Half_typed_handoff_code_makes_no_analyzer_throw_or_report() => VerifyBrokenAsync("""
                class Half
                {
                    async Task RunAsync(Stream stream, CancellationToken ct)
                    {
                        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(
                        await stream.WriteAsync(new byte[1], ct);
                        var raw = await ws.
                        switch (ws.State) { case WebSocketState.Open: await stream.
                    }
                    void Run3(Stream s) { var ws = HandoffWebSocket.CreateFromStream(s, new WebSocketCreationOptions { IsServer = , KeepAliveInterval = }); s.Write( }
                    async Task Run4(Stream s) { using var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.Zero); await foreach (var x in ) { await s.WriteAsync(x); } }
                    Task Run5(Stream s) => s switch { NetworkStream ns => ns.Socket.SendAsync(, _ => Task.CompletedTask };
                    async Task<Stream?> Run6(HandoffWebSocket ws, CancellationToken ct)
                    {
                        while (ws.State == ) { await ws.ReceiveAsync(new byte[1].AsMemory(), ct); }
                        if (ws.State is WebSocketState.Open or ) await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                        if (ws.State != WebSocketState.) await ws.SendAsync(new byte[1], WebSocketMessageType.Binary, false, ct);
                        try { if (ws.IsDetached) return await ws.DetachAsync(ct) } finally {
                """);

        /// <summary>Using statement block; raw use after the block (ws disposed the stream) and inside it.</summary>
        [Fact]
        public Task Raw_write_after_a_using_block_disposed_a_BCL_WebSocket_is_reported_and_after_a_HandoffWebSocket_detached_in_it_is_not() => VerifyAsync("""
                class UsingBlock
                {
                    public async Task RunAsync(Stream stream, CancellationToken ct)
                    {
                        using (var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero))
                        {
                            await ws.ReceiveAsync(new byte[4].AsMemory(), ct);
                        }
                        await {|WSH001:stream.WriteAsync(new byte[1], ct)|};
                    }

                    public async Task GoodAsync(Stream stream, Stream sink, CancellationToken ct)
                    {
                        Stream raw;
                        using (var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(1)))
                        {
                            await ws.ReceiveAsync(new byte[4].AsMemory(), ct);
                            raw = await ws.DetachAsync(ct);
                        }
                        await raw.CopyToAsync(sink, ct);
                        await stream.FlushAsync(ct);
                    }
                }
                """);

        /// <summary>WSH006 with ConfigureAwait, then fix; and the correct SendAndDetachAsync with ConfigureAwait.</summary>
        [Fact]
        public Task Final_send_with_ConfigureAwait_before_a_returned_detach_is_reported_and_an_acknowledgement_read_between_is_not() => VerifyAsync("""
                class Final
                {
                    public async Task<Stream> BadAsync(HandoffWebSocket ws, byte[] last, CancellationToken ct)
                    {
                        await {|WSH006:ws.SendAsync(last, WebSocketMessageType.Binary, true, ct)|}.ConfigureAwait(false);
                        return await ws.DetachAsync(ct).ConfigureAwait(false);
                    }

                    public async Task<Stream> GoodAsync(HandoffWebSocket ws, byte[] last, CancellationToken ct)
                    {
                        await ws.SendAsync(last.AsMemory(0, 1), WebSocketMessageType.Binary, false, ct).ConfigureAwait(false);
                        return await ws.SendAndDetachAsync(last.AsMemory(1), WebSocketMessageType.Binary, ct).ConfigureAwait(false);
                    }

                    public async Task<Stream> AckThenDetachAsync(HandoffWebSocket ws, CancellationToken ct)
                    {
                        await ws.SendAsync(Encoding.UTF8.GetBytes("READY"), WebSocketMessageType.Text, true, ct);
                        var reply = await ws.ReceiveAsync(new byte[16].AsMemory(), ct);
                        return await ws.DetachAsync(ct);
                    }
                }
                """);

        /// <summary>Task.WhenAny of a WebSocket receive loop and a raw read loop on the same transport.</summary>
        [Fact]
        public Task Raw_read_loop_racing_a_receive_loop_is_reported_with_the_Abort_after_WhenAny() => VerifyAsync("""
                class Racing
                {
                    public async Task RunAsync(NetworkStream stream, CancellationToken ct)
                    {
                        var ws = WebSocket.CreateFromStream(stream, false, null, Timeout.InfiniteTimeSpan);
                        var wsLoop = Task.Run(async () =>
                        {
                            var b = new byte[100];
                            while (true) await ws.ReceiveAsync(b, ct);
                        });
                        var rawLoop = Task.Run(async () =>
                        {
                            var b = new byte[100];
                            while (await {|WSH001:stream.ReadAsync(b, ct)|} > 0) { }
                        });
                        await Task.WhenAny(wsLoop, rawLoop);
                        {|WSH002:ws.Abort()|};
                    }
                }
                """);

        /// <summary>Pump started, not awaited, then Abort in a catch / Dispose at the end.</summary>
        [Fact]
        public Task Pump_started_before_a_receive_reports_the_copy_and_the_Abort_in_the_catch() => VerifyAsync("""
                class Pump
                {
                    public async Task RunAsync(Stream stream, Stream upstream, CancellationToken ct)
                    {
                        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        var pump = {|WSH001:stream.CopyToAsync(upstream, ct)|};
                        try
                        {
                            await ws.ReceiveAsync(new byte[1].AsMemory(), ct);
                        }
                        catch (WebSocketException)
                        {
                            {|WSH002:ws.Abort()|};
                        }
                        await pump;
                    }
                }
                """);

        /// <summary>WebSocketProtocol.CreateFromStream with options; DangerousDeflateOptions; raw use; no keep-alive.</summary>
        [Fact]
        public Task Creation_options_without_a_keep_alive_report_only_the_raw_write_and_options_from_a_parameter_report_both() => VerifyAsync("""
                class Proto
                {
                    public async Task RunAsync(Stream stream, CancellationToken ct)
                    {
                        var ws = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
                        {
                            IsServer = true,
                            SubProtocol = "v1",
                            DangerousDeflateOptions = new WebSocketDeflateOptions { ClientMaxWindowBits = 10 },
                        });
                        await ws.ReceiveAsync(new byte[4].AsMemory(), ct);
                        await {|WSH001:stream.WriteAsync(new byte[1], ct)|};
                    }

                    public async Task Run2Async(Stream stream, WebSocketCreationOptions options, CancellationToken ct)
                    {
                        var ws = {|WSH003:WebSocket.CreateFromStream(stream, options)|};
                        await ws.ReceiveAsync(new byte[4].AsMemory(), ct);
                        await {|WSH001:stream.WriteAsync(new byte[1], ct)|};
                    }
                }
                """);

        /// <summary>WSH004 ordinary reflection: nameof public, GetType().Name, typeof(WebSocket).Assembly; and a private field lookup.</summary>
        [Fact]
        public Task Public_reflection_is_silent_and_a_NonPublic_field_lookup_on_the_instance_is_reported() => VerifyAsync("""
                class Refl
                {
                    public static void Inspect(WebSocket ws)
                    {
                        Console.WriteLine(ws.GetType().Name);
                        var state = typeof(WebSocket).GetProperty(nameof(WebSocket.State));
                        var create = typeof(WebSocket).GetMethod(nameof(WebSocket.CreateFromStream), new[] { typeof(Stream), typeof(WebSocketCreationOptions) });
                        var asm = typeof(WebSocket).Assembly.GetName().Version;
                        var handoff = typeof(HandoffWebSocket).GetProperty("IsDetached");
                    }

                    public static Stream? StealStream(WebSocket ws)
                    {
                        var field = {|WSH004:ws.GetType().GetField("_stream", BindingFlags.Instance | BindingFlags.NonPublic)|};
                        return field?.GetValue(ws) as Stream;
                    }
                }
                """);

        /// <summary>Field WebSocket created in StartAsync, stream set in ctor; Flush in StopAsync after; DisposeAsync of the stream only.</summary>
        [Fact]
        public Task Field_transport_flushed_in_another_member_after_StartAsync_created_the_WebSocket_is_reported() => VerifyAsync("""
                sealed class Channel : IAsyncDisposable
                {
                    private readonly Stream _stream;
                    private WebSocket? _ws;
                    public Channel(Stream stream) => _stream = stream;

                    public async Task StartAsync(CancellationToken ct)
                    {
                        await _stream.WriteAsync(Encoding.ASCII.GetBytes("HELLO\n"), ct);
                        _ws = WebSocket.CreateFromStream(_stream, false, null, TimeSpan.Zero);
                    }

                    public Task StopAsync(CancellationToken ct) => {|WSH001:_stream.FlushAsync(ct)|};

                    public async ValueTask DisposeAsync()
                    {
                        _ws?.Dispose();
                        await _stream.DisposeAsync();
                    }
                }
                """);

        /// <summary>Guard by State in a finally after detach: silent expected for HandoffWebSocket (State is Closed once detached).</summary>
        [Fact]
        public Task A_close_guarded_by_State_after_a_detach_and_a_State_pattern_loop_that_detaches_are_silent() => VerifyAsync("""
                class StateClose
                {
                    public async Task RunAsync(Stream stream, Stream sink, CancellationToken ct)
                    {
                        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(1));
                        try
                        {
                            var r = await ws.ReceiveAsync(new byte[8].AsMemory(), ct);
                            if (r.Count == 8)
                            {
                                var raw = await ws.DetachAsync(ct);
                                await raw.CopyToAsync(sink, ct);
                            }
                        }
                        finally
                        {
                            if (ws.State == WebSocketState.Open)
                                await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                        }
                    }

                    public async Task Run2Async(HandoffWebSocket ws, CancellationToken ct)
                    {
                        var buf = new byte[64];
                        while (ws.State is WebSocketState.Open or WebSocketState.CloseSent)
                        {
                            var r = await ws.ReceiveAsync(buf.AsMemory(), ct);
                            if (r.MessageType == WebSocketMessageType.Close) break;
                            if (r.Count == 1) { var raw = await ws.DetachAsync(ct); raw.Dispose(); }
                            else await ws.SendAsync(buf.AsMemory(0, r.Count), WebSocketMessageType.Binary, true, ct);
                        }
                    }
                }
                """);

        /// <summary>Generic helper class holding the HandoffWebSocket; detach through a helper method of the type; raw after.</summary>
        [Fact]
        public Task Raw_use_after_a_helper_of_the_type_that_detaches_the_field_is_silent() => VerifyAsync("""
                sealed class Upgrade
                {
                    private readonly HandoffWebSocket _ws;
                    private readonly Stream _transport;
                    public Upgrade(Stream transport)
                    {
                        _transport = transport;
                        _ws = HandoffWebSocket.CreateFromStream(transport, true, null, TimeSpan.FromSeconds(30));
                    }

                    private async Task<Stream> SwitchAsync(CancellationToken ct) => await _ws.DetachAsync(ct);

                    public async Task RunAsync(CancellationToken ct)
                    {
                        await _ws.ReceiveAsync(new byte[4].AsMemory(), ct);
                        var raw = await SwitchAsync(ct);
                        await raw.WriteAsync(new byte[1], ct);
                        await _transport.FlushAsync(ct);
                    }
                }
                """);

        /// <summary>The upgrade-then-raw client: HandoffWebSocket, lambda in Task.Run after detach, raw read loop.</summary>
        [Fact]
        public Task Raw_client_reading_the_detached_stream_in_Task_Run_is_silent() => VerifyAsync("""
                class RawClient
                {
                    public async Task RunAsync(TcpClient tcp, CancellationToken ct)
                    {
                        var stream = tcp.GetStream();
                        var ws = HandoffWebSocket.CreateFromStream(stream, false, null, TimeSpan.FromSeconds(30));
                        await ws.SendAsync(Encoding.UTF8.GetBytes("hello"), WebSocketMessageType.Text, true, ct);
                        var r = await ws.ReceiveAsync(new byte[16].AsMemory(), ct);
                        var raw = await ws.SendAndDetachAsync(Encoding.UTF8.GetBytes("SWITCH"), WebSocketMessageType.Text, ct);
                        var reader = Task.Run(async () =>
                        {
                            var buf = new byte[4096];
                            while (await raw.ReadAsync(buf, ct) > 0) { }
                        });
                        await raw.WriteAsync(new byte[] { 42 }, ct);
                        await reader;
                        tcp.Client.Shutdown(SocketShutdown.Both);
                    }
                }
                """);

        /// <summary>Is-pattern on the creation's result and conditional creation: BCL vs Handoff by flag.</summary>
        [Fact]
        public Task Conditional_creation_detached_in_an_is_pattern_branch_is_silent() => VerifyAsync("""
                class Conditional
                {
                    public async Task RunAsync(Stream stream, bool handoff, CancellationToken ct)
                    {
                        WebSocket ws = handoff
                            ? HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5))
                            : WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
                        await ws.ReceiveAsync(new byte[4].AsMemory(), ct);
                        if (ws is HandoffWebSocket h)
                        {
                            var raw = await h.DetachAsync(ct);
                            await raw.WriteAsync(new byte[1], ct);
                        }
                        else
                        {
                            await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                        }
                    }
                }
                """);

        /// <summary>IAsyncEnumerable receive, yield; ConfigureAwait(false) everywhere, ordinary: silent.</summary>
        [Fact]
        public Task Async_iterator_over_a_WebSocket_is_silent() => VerifyAsync("""
                class Streaming
                {
                    public static async IAsyncEnumerable<string> MessagesAsync(WebSocket ws, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
                    {
                        var buf = new byte[4096];
                        while (ws.State == WebSocketState.Open)
                        {
                            var r = await ws.ReceiveAsync(buf.AsMemory(), ct).ConfigureAwait(false);
                            if (r.MessageType == WebSocketMessageType.Close) yield break;
                            yield return Encoding.UTF8.GetString(buf, 0, r.Count);
                        }
                    }
                }
                """);

        /// <summary>HandoffWebSocket, but raw use before the detach (mistake): WSH001; close after detach: WSH002; send after detach: WSH005.</summary>
        [Fact]
        public Task Handoff_mistakes_a_raw_write_before_the_detach_and_a_send_and_close_after_it_are_reported() => VerifyAsync("""
                class Mistakes
                {
                    public async Task RunAsync(NetworkStream stream, CancellationToken ct)
                    {
                        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30));
                        await ws.ReceiveAsync(new byte[4].AsMemory(), ct);
                        await {|WSH001:stream.WriteAsync(new byte[1], ct)|};
                        var raw = await ws.DetachAsync(ct);
                        await {|WSH005:ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct)|};
                        await {|WSH002:ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
                    }
                }
                """);

        /// <summary>Lock + Monitor, sync API Socket code: socket-based NetworkStream with ownsSocket, raw Send after creation.</summary>
        [Fact]
        public Task Raw_Send_on_the_socket_under_a_lock_is_reported() => VerifyAsync("""
                class SyncServer
                {
                    private readonly object _gate = new();
                    public void Run(Socket socket)
                    {
                        using var ns = new NetworkStream(socket, ownsSocket: false);
                        var ws = WebSocket.CreateFromStream(ns, true, null, TimeSpan.Zero);
                        lock (_gate)
                        {
                            {|WSH001:socket.Send(Encoding.ASCII.GetBytes("raw"))|};
                        }
                        ws.Dispose();
                    }
                }
                """);

        /// <summary>Detach in a catch/when: upgrade on failure; raw after.</summary>
        [Fact]
        public Task Detach_in_a_filtered_catch_then_the_original_stream_used_is_silent() => VerifyAsync("""
                class CatchDetach
                {
                    public async Task RunAsync(Stream stream, Stream sink, CancellationToken ct)
                    {
                        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(1));
                        Stream raw;
                        try
                        {
                            await ws.ReceiveAsync(new byte[4].AsMemory(), ct);
                            raw = await ws.DetachAsync(ct);
                        }
                        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                        {
                            raw = ws.Detach();
                        }
                        await raw.CopyToAsync(sink, ct);
                        await stream.FlushAsync(ct);
                    }
                }
                """);

        /// <summary>The original stream after a detach: a using block around the detach, a Dispose, a plain block, a using declaration.</summary>
        [Fact]
        public Task Original_stream_flushed_after_a_detach_in_a_using_block_or_before_a_Dispose_is_silent() => VerifyAsync("""
                class AfterDispose
                {
                    public async Task A(Stream stream, CancellationToken ct)
                    {
                        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        var raw = await ws.DetachAsync(ct);
                        ws.Dispose();
                        await stream.FlushAsync(ct);
                    }
                    public async Task B(Stream stream, CancellationToken ct)
                    {
                        Stream raw;
                        using (var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero))
                        {
                            raw = await ws.DetachAsync(ct);
                        }
                        await stream.FlushAsync(ct);
                    }
                    public async Task C(Stream stream, CancellationToken ct)
                    {
                        Stream raw;
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            raw = await ws.DetachAsync(ct);
                        }
                        await stream.FlushAsync(ct);
                    }
                    public async Task D(Stream stream, CancellationToken ct)
                    {
                        using var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        var raw = await ws.DetachAsync(ct);
                        await stream.FlushAsync(ct);
                    }
                }
                """);

        /// <summary>Auto-properties set in the constructor; static local function taking the stream.</summary>
        [Fact]
        public Task Property_transport_written_in_a_member_is_reported_and_a_static_local_function_taking_the_stream_is_not() => VerifyAsync("""
                sealed class Conn
                {
                    public Stream Transport { get; }
                    public WebSocket Socket { get; }
                    public Conn(Stream transport) { Transport = transport; Socket = WebSocket.CreateFromStream(transport, true, null, TimeSpan.Zero); }
                    public void Poke() => {|WSH001:Transport.WriteByte(0)|};
                }
                class StaticLocal
                {
                    public async Task RunAsync(Stream stream, Stream dest, CancellationToken ct)
                    {
                        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        await ws.ReceiveAsync(new byte[4].AsMemory(), ct);
                        await Pump(stream, dest, ct);

                        static async Task Pump(Stream s, Stream d, CancellationToken c) => await s.CopyToAsync(d, c);
                    }
                }
                """);

        /// <summary>A receive loop in try/finally that returns after a detach; a close after a try whose body returns the detach.</summary>
        [Fact]
        public Task A_return_after_a_detach_inside_a_try_finally_does_not_reach_the_code_after_the_try() => VerifyAsync("""
                static class Metrics { public static void Count() { } }
                class FinallyLoop
                {
                    public async Task<Stream?> RunAsync(HandoffWebSocket ws, CancellationToken ct)
                    {
                        var buf = new byte[16];
                        while (true)
                        {
                            try
                            {
                                var r = await ws.ReceiveAsync(buf.AsMemory(), ct);
                                if (r.Count == 1) return await ws.DetachAsync(ct);
                            }
                            finally { Metrics.Count(); }
                            await ws.SendAsync(buf.AsMemory(), WebSocketMessageType.Binary, true, ct);
                        }
                    }
                    public async Task<Stream?> Run2Async(Stream stream, CancellationToken ct)
                    {
                        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        var buf = new byte[16];
                        try
                        {
                            var r = await ws.ReceiveAsync(buf.AsMemory(), ct);
                            if (r.Count == 1) return await ws.DetachAsync(ct);
                        }
                        finally { Metrics.Count(); }
                        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                        return null;
                    }
                }
                """);

        /// <summary>Socket.Shutdown and property reads are not raw uses; a creation on one branch before a raw write.</summary>
        [Fact]
        public Task Shutdown_and_property_reads_are_silent_and_a_conditional_creation_before_a_raw_write_is_reported() => VerifyAsync("""
                class Misc
                {
                    public async Task ShutdownAsync(NetworkStream stream, CancellationToken ct)
                    {
                        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
                        await ws.ReceiveAsync(new byte[4].AsMemory(), ct);
                        stream.Socket.Shutdown(SocketShutdown.Send);
                        stream.ReadTimeout = 1000;
                        Console.WriteLine(stream.DataAvailable);
                        ws.Abort();
                    }

                    public async Task MaybeAsync(Stream stream, bool upgrade, CancellationToken ct)
                    {
                        WebSocket? ws = null;
                        if (upgrade)
                            ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        await {|WSH001:stream.WriteAsync(new byte[1], ct)|};
                        ws?.Dispose();
                    }
                }
                """);

        /// <summary>Nested try/finally: a return through two finally blocks, break/continue/exception after a detach.</summary>
        [Fact]
        public Task Finally_paths_keep_their_exits_a_nested_return_is_silent_break_continue_and_exceptions_after_a_detach_are_reported() => VerifyAsync("""
                static class Log { public static void A() { } public static bool Filter(Exception e) => true; }
                class Nested
                {
                    public async Task<Stream?> NestedReturn(HandoffWebSocket ws, bool x, CancellationToken ct)
                    {
                        try
                        {
                            try { if (x) return await ws.DetachAsync(ct); }
                            finally { Log.A(); }
                        }
                        finally { Log.A(); }
                        await ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct);
                        return null;
                    }

                    public async Task StillAfterFinally(HandoffWebSocket ws, CancellationToken ct)
                    {
                        Stream raw;
                        try { raw = await ws.DetachAsync(ct); }
                        finally { Log.A(); }
                        await {|WSH005:ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct)|};
                    }

                    public async Task ThrowAfterDetach(HandoffWebSocket ws, CancellationToken ct)
                    {
                        try
                        {
                            try { var raw = await ws.DetachAsync(ct); await raw.WriteAsync(new byte[1], ct); }
                            finally { Log.A(); }
                        }
                        catch (IOException)
                        {
                            await {|WSH005:ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct)|};
                        }
                    }

                    public async Task RawInCatchAfterFinally(Stream stream, CancellationToken ct)
                    {
                        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        try
                        {
                            try { await ws.ReceiveAsync(new byte[1].AsMemory(), ct); }
                            finally { Log.A(); }
                        }
                        catch (Exception e) when (Log.Filter(e))
                        {
                            await {|WSH001:stream.WriteAsync(new byte[] { 0xFF }, ct)|};
                        }
                    }

                    public async Task BreakThroughFinally(HandoffWebSocket ws, CancellationToken ct)
                    {
                        var buf = new byte[4];
                        while (true)
                        {
                            try
                            {
                                var r = await ws.ReceiveAsync(buf.AsMemory(), ct);
                                if (r.Count == 4) { await ws.DetachAsync(ct); break; }
                            }
                            finally { Log.A(); }
                        }
                        await {|WSH005:ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct)|};
                    }

                    public async Task ContinueThroughFinally(HandoffWebSocket ws, CancellationToken ct)
                    {
                        var buf = new byte[4];
                        for (var i = 0; i < 3; i++)
                        {
                            try
                            {
                                var r = await {|WSH005:ws.ReceiveAsync(buf.AsMemory(), ct)|};
                                if (r.Count == 4) { await ws.DetachAsync(ct); continue; }
                            }
                            finally { Log.A(); }
                        }
                    }
                }
                """);

        /// <summary>Keep-alive from readonly fields initialized to zero or infinite, and fields that may hold anything.</summary>
        [Fact]
        public Task Keep_alive_from_a_readonly_field_initialized_to_zero_or_infinite_is_off_and_from_other_fields_may_be_on() => VerifyAsync("""
                class KeepAliveFields
                {
                    private static readonly TimeSpan NoKeepAlive = TimeSpan.Zero;
                    private static readonly TimeSpan Infinite = Timeout.InfiniteTimeSpan;
                    public async Task A(Stream stream, CancellationToken ct)
                    {
                        var ws = WebSocket.CreateFromStream(stream, true, null, NoKeepAlive);
                        await {|WSH001:stream.WriteAsync(new byte[1], ct)|};
                    }
                    public async Task B(Stream stream, CancellationToken ct)
                    {
                        var ws = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = Infinite });
                        await {|WSH001:stream.WriteAsync(new byte[1], ct)|};
                    }
                }
                class KeepAliveFields2
                {
                    private readonly TimeSpan _keepAlive = TimeSpan.Zero;
                    private readonly TimeSpan _set = TimeSpan.Zero;
                    private static readonly TimeSpan On = TimeSpan.FromSeconds(30);
                    public KeepAliveFields2(TimeSpan k) { _set = k; }
                    public async Task A(Stream stream, CancellationToken ct)
                    {
                        var ws = WebSocket.CreateFromStream(stream, true, null, _keepAlive);
                        await {|WSH001:stream.WriteAsync(new byte[1], ct)|};
                    }
                    public async Task B(Stream stream, CancellationToken ct)
                    {
                        var ws = {|WSH003:WebSocket.CreateFromStream(stream, true, null, _set)|};
                        await {|WSH001:stream.WriteAsync(new byte[1], ct)|};
                    }
                    public async Task C(Stream stream, CancellationToken ct)
                    {
                        var ws = {|WSH003:WebSocket.CreateFromStream(stream, true, null, On)|};
                        await {|WSH001:stream.WriteAsync(new byte[1], ct)|};
                    }
                }
                """);

        /// <summary>Final sends: a non-constant endOfMessage, flags with DisableCompression, named arguments; a do-while on IsDetached; for (;;) with a return.</summary>
        [Fact]
        public Task Final_sends_with_flags_or_named_arguments_are_reported_and_a_non_constant_endOfMessage_and_IsDetached_loops_are_not() => VerifyAsync("""
                class Sends
                {
                    public async Task<Stream> A(HandoffWebSocket ws, byte[] data, bool last, CancellationToken ct)
                    {
                        await ws.SendAsync(data, WebSocketMessageType.Binary, last, ct);
                        return await ws.DetachAsync(ct);
                    }
                    public async Task<Stream> B(HandoffWebSocket ws, byte[] data, CancellationToken ct)
                    {
                        await {|WSH006:ws.SendAsync(data.AsMemory(), WebSocketMessageType.Binary, WebSocketMessageFlags.EndOfMessage | WebSocketMessageFlags.DisableCompression, ct)|};
                        return await ws.DetachAsync(ct);
                    }
                    public async Task C(HandoffWebSocket ws, CancellationToken ct)
                    {
                        var buf = new byte[8];
                        do
                        {
                            var r = await ws.ReceiveAsync(buf.AsMemory(), ct);
                            if (r.Count == 8) await ws.DetachAsync(ct);
                        } while (!ws.IsDetached);
                    }
                    public async Task<Stream> D(HandoffWebSocket ws, CancellationToken ct)
                    {
                        var buf = new byte[8];
                        for (;;)
                        {
                            var r = await ws.ReceiveAsync(buf.AsMemory(), ct);
                            if (r.Count == 8) return await ws.DetachAsync(ct);
                            await ws.SendAsync(buf.AsMemory(0, r.Count), WebSocketMessageType.Binary, true, ct);
                        }
                    }
                    public async Task<Stream> E(HandoffWebSocket ws, ArraySegment<byte> seg, CancellationToken ct)
                    {
                        await {|WSH006:ws.SendAsync(seg, WebSocketMessageType.Text, endOfMessage: true, cancellationToken: ct)|};
                        using var scope = new MemoryStream();
                        var raw = await ws.DetachAsync();
                        return raw;
                    }
                }
                """);

        /// <summary>A session object whose DisposeAsync closes in a switch on State, and whose sends check IsDetached.</summary>
        [Fact]
        public Task Session_object_closing_in_a_switch_on_State_and_checking_IsDetached_before_sends_is_silent() => VerifyAsync("""
                sealed class Session : IAsyncDisposable
                {
                    private readonly HandoffWebSocket _ws;
                    private Stream? _raw;
                    public Session(Stream s) => _ws = HandoffWebSocket.CreateFromStream(s, true, null, TimeSpan.FromSeconds(10));

                    public async Task UpgradeAsync(CancellationToken ct) => _raw = await _ws.DetachAsync(ct);

                    public async ValueTask DisposeAsync()
                    {
                        switch (_ws.State)
                        {
                            case WebSocketState.Open:
                                await _ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                                break;
                        }
                        if (_raw != null) await _raw.DisposeAsync();
                        _ws.Dispose();
                    }

                    public async Task SendAsync(string text, CancellationToken ct)
                    {
                        if (_ws.IsDetached) throw new InvalidOperationException("upgraded");
                        await _ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, ct);
                    }
                }
                """);

        /// <summary>A transport of a type parameter; a socket read before the detach and written after it.</summary>
        [Fact]
        public Task Transport_of_a_type_parameter_and_a_socket_read_before_the_detach_are_reported_and_a_send_after_it_is_not() => VerifyAsync("""
                class Generic
                {
                    public async Task RunAsync<TStream>(TStream stream, CancellationToken ct) where TStream : Stream
                    {
                        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        await ws.ReceiveAsync(new byte[1].AsMemory(), ct);
                        await {|WSH001:stream.WriteAsync(new byte[1], ct)|};
                    }
                    public async Task SocketAsync(Socket socket, CancellationToken ct)
                    {
                        await using var ns = new NetworkStream(socket, ownsSocket: true);
                        var ws = HandoffWebSocket.CreateFromStream(ns, true, null, TimeSpan.Zero);
                        await ws.ReceiveAsync(new byte[1].AsMemory(), ct);
                        await {|WSH001:socket.ReceiveAsync(new byte[1], SocketFlags.None, ct)|};
                        var raw = await ws.DetachAsync(ct);
                        await socket.SendAsync(new byte[1], SocketFlags.None, ct);
                    }
                }
                """);

        /// <summary>Unusual syntax: a detach in an exception filter, an iterator with a finally, stackalloc, goto case, async void, checked.</summary>
        [Fact]
        public Task Unusual_syntax_filter_detach_iterator_finally_stackalloc_goto_case_and_checked_is_analysed_without_throwing() => VerifyAsync("""
                class Odd
                {
                    public async Task Filter(HandoffWebSocket ws, Stream stream, CancellationToken ct)
                    {
                        try { await ws.ReceiveAsync(new byte[1].AsMemory(), ct); }
                        catch (Exception) when (ws.Detach() != null)
                        {
                            await stream.WriteAsync(new byte[1], ct);
                            await {|WSH005:ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct)|};
                        }
                    }

                    public IEnumerable<int> Iterator(Stream stream)
                    {
                        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        try
                        {
                            yield return 1;
                            var raw = ws.Detach();
                            yield return raw.ReadByte();
                        }
                        finally
                        {
                            ws.Dispose();
                        }
                        stream.WriteByte(1);
                    }

                    public void Stackalloc(Stream stream)
                    {
                        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        Span<byte> buf = stackalloc byte[16];
                        {|WSH001:stream.Read(buf)|};
                        ws.Dispose();
                    }

                    public async void Fire(Stream stream, int mode)
                    {
                        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        switch (mode)
                        {
                            case 0:
                                await ws.DetachAsync();
                                goto case 1;
                            case 1:
                                {|WSH001:stream.Flush()|};
                                break;
                            default:
                                goto case 0;
                        }
                    }

                    public async Task Checked(Stream s, int n)
                    {
                        var ws = {|WSH003:WebSocket.CreateFromStream(s, true, null, TimeSpan.FromMinutes(checked(n * 2)))|};
                        await {|WSH001:s.WriteAsync(new byte[checked(n + 1)])|};
                        __ = 1;
                    }
                    int __;
                }
                """);

        /// <summary>A lambda whose local function detaches (with a static local function inside it) before the raw write.</summary>
        [Fact]
        public Task Lambda_whose_local_function_detaches_before_the_raw_write_is_silent() => VerifyAsync("""
                class Nesting
                {
                    public Func<Task> Make(Stream stream, CancellationToken ct)
                    {
                        return async () =>
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await Inner();
                            async Task Inner()
                            {
                                var raw = await ws.DetachAsync(ct);
                                await Deeper(raw);
                                static async Task Deeper(Stream s) => await s.FlushAsync();
                            }
                            await stream.WriteAsync(new byte[1], ct);
                        };
                    }
                }
                """);

        /// <summary>A partial class over two declarations, a struct holding the transport, an event handler lambda made after the creation.</summary>
        [Fact]
        public Task Partial_declarations_a_struct_and_an_event_handler_lambda_report_their_raw_writes() => VerifyAsync("""
                partial class Split
                {
                    private readonly Stream _s;
                    private WebSocket? _ws;
                    public Split(Stream s) => _s = s;
                    public void Open() => _ws = WebSocket.CreateFromStream(_s, true, null, TimeSpan.Zero);
                }
                partial class Split
                {
                    public void Raw() => {|WSH001:_s.WriteByte(0)|};
                }
                struct Pair
                {
                    public Stream S;
                    public WebSocket W;
                    public Pair(Stream s) { S = s; W = WebSocket.CreateFromStream(s, true, null, TimeSpan.Zero); }
                    public void Raw() => {|WSH001:S.WriteByte(1)|};
                }
                class Events
                {
                    public event Action<byte[]>? Data;
                    public void Wire(Stream stream)
                    {
                        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        Data += bytes => {|WSH001:stream.Write(bytes)|};
                    }
                }
                """);

        /// <summary>Reflection as users write it: public lookups, NonPublic on an instance type, a type name string, object and HandoffWebSocket.</summary>
        [Fact]
        public Task Reflection_as_users_write_it_reports_only_NonPublic_lookups_and_internal_type_names() => VerifyAsync("""
                class Refl2
                {
                    public static void M(WebSocket ws, object any, HandoffWebSocket hws)
                    {
                        var props = ws.GetType().GetProperties();
                        var fields = {|WSH004:ws.GetType().GetFields(BindingFlags.NonPublic | BindingFlags.Instance)|};
                        var t = {|WSH004:Type.GetType("System.Net.WebSockets.ManagedWebSocket, System.Net.WebSockets")|};
                        var ctors = typeof(WebSocketReceiveResult).GetConstructors();
                        var f2 = any.GetType().GetField("_stream", BindingFlags.NonPublic | BindingFlags.Instance);
                        var f3 = typeof(HandoffWebSocket).GetField("_webSocket", BindingFlags.NonPublic | BindingFlags.Instance);
                        var m = typeof(ClientWebSocketOptions).GetMethod("SetBuffer", new[] { typeof(int), typeof(int) });
                        var state = ws.GetType().GetProperty("State")?.GetValue(ws);
                        foreach (var p in typeof(WebSocket).GetMembers()) Console.WriteLine(p.Name);
                    }
                }
                """);

        private sealed class AllRulesTest : CSharpAnalyzerTest<RawTransportUseAnalyzer, DefaultVerifier>
        {
            public AllRulesTest()
            {
                ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
                TestState.AdditionalReferences.Add(MetadataReference.CreateFromFile(typeof(HandoffWebSocket).Assembly.Location));
            }

            protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() => new DiagnosticAnalyzer[]
            {
                new RawTransportUseAnalyzer(), new CloseDuringHandoffAnalyzer(), new KeepAliveOnHandoffAnalyzer(),
                new WebSocketReflectionAnalyzer(), new UseAfterDetachAnalyzer(), new NonAtomicFinalSendAnalyzer(),
            };
        }
    }
}
