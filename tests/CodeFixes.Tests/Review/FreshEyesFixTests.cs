using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Diagnostics;
using WebSocketHandoff.Analyzers;
using WebSocketHandoff.Analyzers.Rules;
using WebSocketHandoff.CodeFixes.Fixers;
using WebSocketHandoff.CodeFixes.Tests.Infrastructure;

namespace WebSocketHandoff.CodeFixes.Tests.Review
{
    /// <summary>
    /// Fresh-eyes review: the fixes applied, with the real analyzers, to handoff code written the way users write it
    /// (a bridge of two copies raced by Task.WhenAny, a State-guarded close in a finally, top-level statements, a final
    /// send with ConfigureAwait, a lock in synchronous code). Every fixed state is compiled by the test.
    /// </summary>
    public class FreshEyesFixTests
    {
        private static IEnumerable<DiagnosticAnalyzer> Flow() => new DiagnosticAnalyzer[]
        {
            new RawTransportUseAnalyzer(), new CloseDuringHandoffAnalyzer(), new KeepAliveOnHandoffAnalyzer(),
        };

        private static IEnumerable<DiagnosticAnalyzer> FinalSend() => new DiagnosticAnalyzer[] { new NonAtomicFinalSendAnalyzer() };

        private static IEnumerable<DiagnosticAnalyzer> Close() => new DiagnosticAnalyzer[] { new CloseDuringHandoffAnalyzer() };

        [Fact]
        public async Task Bridge_racing_two_copies_of_the_transport_detaches_before_them_and_guards_the_close_in_the_finally()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Flow)
            {
                TestCode = """
                    using System;
                    using System.Net.Sockets;
                    using System.Net.WebSockets;
                    using System.Text;
                    using System.Threading;
                    using System.Threading.Tasks;

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
                    """,
                FixedCode = """
                    using System;
                    using System.Net.Sockets;
                    using System.Net.WebSockets;
                    using System.Text;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class BadBridge
                    {
                        public async Task RunAsync(TcpClient client, TcpClient backend, CancellationToken ct)
                        {
                            var stream = client.GetStream();
                            var upstream = backend.GetStream();
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30));
                            try
                            {
                                var buf = new byte[256];
                                var r = await ws.ReceiveAsync(buf, ct);
                                if (Encoding.UTF8.GetString(buf, 0, r.Count) != "upgrade") return;
                                var raw = await ws.DetachAsync(ct);
                                var up = raw.CopyToAsync(upstream, ct);
                                var down = upstream.CopyToAsync(raw, ct);
                                await Task.WhenAny(up, down);
                            }
                            finally
                            {
                                if (!ws.IsDetached)
                                    await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                            }
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task A_close_guarded_by_State_in_a_finally_after_a_raw_write_keeps_its_guard_and_gets_the_detach_test()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Flow)
            {
                TestCode = """
                    using System;
                    using System.Net.Sockets;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class Cleanup
                    {
                        public async Task RunAsync(TcpClient client, CancellationToken ct)
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
                    """,
                FixedCode = """
                    using System;
                    using System.Net.Sockets;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Cleanup
                    {
                        public async Task RunAsync(TcpClient client, CancellationToken ct)
                        {
                            var stream = client.GetStream();
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(10));
                            try
                            {
                                await ws.ReceiveAsync(new byte[16].AsMemory(), ct);
                                var raw = await ws.DetachAsync(ct);
                                await raw.WriteAsync(new byte[] { 1, 2, 3 }, ct);
                            }
                            finally
                            {
                                if (ws.State == WebSocketState.Open)
                                {
                                    if (!ws.IsDetached)
                                        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                                }
                            }
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task Top_level_statements_client_detaches_with_no_token_in_scope()
        {
            var test = new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Flow)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.Sockets;
                    using System.Net.WebSockets;
                    using System.Text;
                    using System.Threading;

                    using var tcp = new TcpClient("localhost", 8080);
                    var stream = tcp.GetStream();
                    await stream.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n"));
                    await stream.ReadAsync(new byte[1024]);
                    var ws = {|WSH003:WebSocket.CreateFromStream(stream, false, null, TimeSpan.FromSeconds(10))|};
                    await ws.SendAsync(Encoding.UTF8.GetBytes("SWITCH"), WebSocketMessageType.Text, true, CancellationToken.None);
                    await {|WSH001:stream.WriteAsync(new byte[] { 1, 2, 3 })|};
                    Console.WriteLine(await {|WSH001:new StreamReader(stream)|}.ReadLineAsync());
                    """,
                FixedCode = """
                    using System;
                    using System.IO;
                    using System.Net.Sockets;
                    using System.Net.WebSockets;
                    using System.Text;
                    using System.Threading;
                    using WebSocketHandoff;

                    using var tcp = new TcpClient("localhost", 8080);
                    var stream = tcp.GetStream();
                    await stream.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n"));
                    await stream.ReadAsync(new byte[1024]);
                    var ws = HandoffWebSocket.CreateFromStream(stream, false, null, TimeSpan.FromSeconds(10));
                    await ws.SendAsync(Encoding.UTF8.GetBytes("SWITCH"), WebSocketMessageType.Text, true, CancellationToken.None);
                    var raw = await ws.DetachAsync();
                    await raw.WriteAsync(new byte[] { 1, 2, 3 });
                    Console.WriteLine(await new StreamReader(raw).ReadLineAsync());
                    """,
            };
            test.TestState.OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication;
            test.FixedState.OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication;
            await test.RunAsync();
        }

        [Fact]
        public async Task Final_send_with_ConfigureAwait_followed_by_a_returned_detach_merges_and_keeps_ConfigureAwait()
        {
            await new FixTest<UseSendAndDetachCodeFixProvider>(analyzers: FinalSend)
            {
                TestCode = """
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Final
                    {
                        public async Task<Stream> SwitchAsync(HandoffWebSocket ws, byte[] last, CancellationToken ct)
                        {
                            await {|WSH006:ws.SendAsync(last, WebSocketMessageType.Binary, true, ct)|}.ConfigureAwait(false);
                            return await ws.DetachAsync(ct).ConfigureAwait(false);
                        }
                    }
                    """,
                FixedCode = """
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Final
                    {
                        public async Task<Stream> SwitchAsync(HandoffWebSocket ws, byte[] last, CancellationToken ct)
                        {
                            return await ws.SendAndDetachAsync(last, WebSocketMessageType.Binary, ct).ConfigureAwait(false);
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task Fix_all_removes_the_closes_after_the_detaches_of_a_receive_loop_and_a_switch_helper()
        {
            await new FixTest<CloseDuringHandoffCodeFixProvider>(analyzers: Close)
            {
                TestCode = """
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Mistakes
                    {
                        public async Task<Stream> A(HandoffWebSocket ws, CancellationToken ct)
                        {
                            var raw = await ws.DetachAsync(ct);
                            await {|WSH002:ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
                            return raw;
                        }

                        public async Task<Stream> B(HandoffWebSocket ws, byte[] last, CancellationToken ct)
                        {
                            var raw = await ws.SendAndDetachAsync(last, WebSocketMessageType.Binary, ct);
                            await raw.WriteAsync(new byte[1], ct);
                            await {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "switched", ct)|};
                            return raw;
                        }
                    }
                    """,
                FixedCode = """
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Mistakes
                    {
                        public async Task<Stream> A(HandoffWebSocket ws, CancellationToken ct)
                        {
                            var raw = await ws.DetachAsync(ct);
                            return raw;
                        }

                        public async Task<Stream> B(HandoffWebSocket ws, byte[] last, CancellationToken ct)
                        {
                            var raw = await ws.SendAndDetachAsync(last, WebSocketMessageType.Binary, ct);
                            await raw.WriteAsync(new byte[1], ct);
                            return raw;
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task Synchronous_raw_send_under_a_lock_detaches_with_Detach_inside_the_lock()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Flow)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Text;

                    class SyncServer
                    {
                        private readonly object _gate = new object();

                        public void Run(Stream ns, byte[] hello)
                        {
                            var ws = WebSocket.CreateFromStream(ns, true, null, TimeSpan.Zero);
                            lock (_gate)
                                {|WSH001:ns.Write(hello, 0, hello.Length)|};
                            ws.Dispose();
                        }
                    }
                    """,
                FixedCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Text;
                    using WebSocketHandoff;

                    class SyncServer
                    {
                        private readonly object _gate = new object();

                        public void Run(Stream ns, byte[] hello)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(ns, true, null, TimeSpan.Zero);
                            lock (_gate)
                            {
                                var raw = ws.Detach();
                                raw.Write(hello, 0, hello.Length);
                            }
                            ws.Dispose();
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task No_fix_when_the_raw_read_is_an_arm_of_a_switch_expression_whose_other_arm_receives()
        {
            // The detach would go before the return, and the receive of the other arm would throw on the detached socket.
            const string source = """
                using System;
                using System.IO;
                using System.Net.WebSockets;
                using System.Threading;
                using System.Threading.Tasks;

                enum Mode { Text, Raw }
                class Dispatcher
                {
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
                """;
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Flow) { TestCode = source, FixedCode = source }.RunAsync();
        }

        [Fact]
        public async Task No_fix_for_a_raw_write_in_a_case_of_a_receive_loop_that_goes_on_receiving()
        {
            const string source = """
                using System;
                using System.IO;
                using System.Net.WebSockets;
                using System.Text;
                using System.Threading;
                using System.Threading.Tasks;

                class Loop
                {
                    public async Task RunAsync(Stream stream, CancellationToken ct)
                    {
                        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        var buf = new byte[64];
                        while (!ct.IsCancellationRequested)
                        {
                            var r = await ws.ReceiveAsync(buf, ct);
                            switch (Encoding.UTF8.GetString(buf, 0, r.Count))
                            {
                                case "raw":
                                    await {|WSH001:stream.WriteAsync(buf, 0, 1, ct)|};
                                    break;
                                default:
                                    await ws.SendAsync(buf.AsMemory(0, r.Count), WebSocketMessageType.Text, true, ct);
                                    break;
                            }
                        }
                    }
                }
                """;
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Flow) { TestCode = source, FixedCode = source }.RunAsync();
        }

        [Fact]
        public async Task Fix_all_keeps_a_nullable_local_nullable_and_casts_a_nullable_field_at_the_detach()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Flow)
            {
                TestCode = """
                    #nullable enable
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class N
                    {
                        private WebSocket? _ws;
                        private readonly Stream _stream;
                        public N(Stream s) { _stream = s; }

                        public async Task A(Stream stream, CancellationToken ct)
                        {
                            WebSocket? ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await ws.ReceiveAsync(new byte[1].AsMemory(), ct);
                            await {|WSH001:stream.WriteAsync(new byte[1], ct)|};
                        }

                        public async Task B(CancellationToken ct)
                        {
                            _ws = WebSocket.CreateFromStream(_stream, true, null, TimeSpan.Zero);
                            await _ws.ReceiveAsync(new byte[1].AsMemory(), ct);
                            await {|WSH001:_stream.WriteAsync(new byte[1], ct)|};
                        }
                    }
                    """,
                FixedCode = """
                    #nullable enable
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class N
                    {
                        private WebSocket? _ws;
                        private readonly Stream _stream;
                        public N(Stream s) { _stream = s; }

                        public async Task A(Stream stream, CancellationToken ct)
                        {
                            HandoffWebSocket? ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await ws.ReceiveAsync(new byte[1].AsMemory(), ct);
                            var raw = await ws.DetachAsync(ct);
                            await raw.WriteAsync(new byte[1], ct);
                        }

                        public async Task B(CancellationToken ct)
                        {
                            _ws = HandoffWebSocket.CreateFromStream(_stream, true, null, TimeSpan.Zero);
                            await _ws.ReceiveAsync(new byte[1].AsMemory(), ct);
                            var raw = await ((HandoffWebSocket)_ws).DetachAsync(ct);
                            await raw.WriteAsync(new byte[1], ct);
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task Fix_all_in_a_Task_Run_lambda_and_a_delegate_lambda_uses_each_lambdas_token()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Flow)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class L
                    {
                        public Task Start(Stream s, CancellationToken ct) => Task.Run(async () =>
                        {
                            var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
                            await ws.ReceiveAsync(new byte[1].AsMemory(), ct);
                            await {|WSH001:s.WriteAsync(new byte[1], ct)|};
                        });

                        public Func<CancellationToken, Task> Start2(Stream s)
                        {
                            Func<CancellationToken, Task> go = async token =>
                            {
                                var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
                                await {|WSH001:s.FlushAsync(token)|};
                            };
                            return go;
                        }
                    }
                    """,
                FixedCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class L
                    {
                        public Task Start(Stream s, CancellationToken ct) => Task.Run(async () =>
                        {
                            var ws = HandoffWebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
                            await ws.ReceiveAsync(new byte[1].AsMemory(), ct);
                            var raw = await ws.DetachAsync(ct);
                            await raw.WriteAsync(new byte[1], ct);
                        });

                        public Func<CancellationToken, Task> Start2(Stream s)
                        {
                            Func<CancellationToken, Task> go = async token =>
                            {
                                var ws = HandoffWebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
                                var raw = await ws.DetachAsync(token);
                                await raw.FlushAsync(token);
                            };
                            return go;
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task No_fix_for_a_final_send_with_DisableCompression_and_the_fix_of_an_ArraySegment_send_with_named_arguments()
        {
            // SendAndDetachAsync takes no flags: merging the first pair would compress a final message the code asked to
            // send uncompressed. The second merges past a declaration that does not touch the socket and keeps the send's token.
            await new FixTest<UseSendAndDetachCodeFixProvider>(analyzers: FinalSend)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Final
                    {
                        public async Task<Stream> B(HandoffWebSocket ws, byte[] data, CancellationToken ct)
                        {
                            await {|WSH006:ws.SendAsync(data.AsMemory(), WebSocketMessageType.Binary, WebSocketMessageFlags.EndOfMessage | WebSocketMessageFlags.DisableCompression, ct)|};
                            return await ws.DetachAsync(ct);
                        }

                        public async Task<Stream> E(HandoffWebSocket ws, ArraySegment<byte> seg, CancellationToken ct)
                        {
                            await {|WSH006:ws.SendAsync(seg, WebSocketMessageType.Text, endOfMessage: true, cancellationToken: ct)|};
                            using var scope = new MemoryStream();
                            var raw = await ws.DetachAsync();
                            return raw;
                        }
                    }
                    """,
                FixedCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Final
                    {
                        public async Task<Stream> B(HandoffWebSocket ws, byte[] data, CancellationToken ct)
                        {
                            await {|WSH006:ws.SendAsync(data.AsMemory(), WebSocketMessageType.Binary, WebSocketMessageFlags.EndOfMessage | WebSocketMessageFlags.DisableCompression, ct)|};
                            return await ws.DetachAsync(ct);
                        }

                        public async Task<Stream> E(HandoffWebSocket ws, ArraySegment<byte> seg, CancellationToken ct)
                        {
                            using var scope = new MemoryStream();
                            var raw = await ws.SendAndDetachAsync(seg, WebSocketMessageType.Text, ct);
                            return raw;
                        }
                    }
                    """,
                FixedState = { MarkupHandling = Microsoft.CodeAnalysis.Testing.MarkupMode.Allow },
            }.RunAsync();
        }

        [Fact]
        public async Task No_merge_past_code_that_returns_the_rented_buffer_or_replaces_the_message_and_a_merge_past_logging_and_a_delay()
        {
            // The merged call sends where the detach was: the statements between would run before the message is read.
            // Returning the rented buffer first would send a buffer another renter may be filling; reassigning the message
            // would send another one. Logging and a delay that do not name the message keep the fix.
            await new FixTest<UseSendAndDetachCodeFixProvider>(analyzers: FinalSend)
            {
                TestCode = """
                    using System;
                    using System.Buffers;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Text;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Final
                    {
                        private byte[] _last = new byte[4];

                        public async Task<Stream> Rented(HandoffWebSocket ws, int n, CancellationToken ct)
                        {
                            var buffer = ArrayPool<byte>.Shared.Rent(n);
                            await {|WSH006:ws.SendAsync(buffer.AsMemory(0, n), WebSocketMessageType.Binary, true, ct)|};
                            ArrayPool<byte>.Shared.Return(buffer);
                            return await ws.DetachAsync(ct);
                        }

                        public async Task<Stream> Replaced(HandoffWebSocket ws, byte[] msg, CancellationToken ct)
                        {
                            await {|WSH006:ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct)|};
                            msg = Array.Empty<byte>();
                            var raw = await ws.DetachAsync(ct);
                            return raw;
                        }

                        public async Task<Stream> FieldReset(HandoffWebSocket ws, CancellationToken ct)
                        {
                            await {|WSH006:ws.SendAsync(_last, WebSocketMessageType.Binary, true, ct)|};
                            Reset();
                            return await ws.DetachAsync(ct);
                        }

                        private void Reset() => _last = new byte[4];

                        public async Task<Stream> Logged(HandoffWebSocket ws, CancellationToken ct)
                        {
                            await {|WSH006:ws.SendAsync(Encoding.UTF8.GetBytes("SWITCH"), WebSocketMessageType.Text, true, ct)|};
                            Console.WriteLine("switching");
                            await Task.Delay(10, ct);
                            return await ws.DetachAsync(ct);
                        }
                    }
                    """,
                FixedCode = """
                    using System;
                    using System.Buffers;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Text;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Final
                    {
                        private byte[] _last = new byte[4];

                        public async Task<Stream> Rented(HandoffWebSocket ws, int n, CancellationToken ct)
                        {
                            var buffer = ArrayPool<byte>.Shared.Rent(n);
                            await {|WSH006:ws.SendAsync(buffer.AsMemory(0, n), WebSocketMessageType.Binary, true, ct)|};
                            ArrayPool<byte>.Shared.Return(buffer);
                            return await ws.DetachAsync(ct);
                        }

                        public async Task<Stream> Replaced(HandoffWebSocket ws, byte[] msg, CancellationToken ct)
                        {
                            await {|WSH006:ws.SendAsync(msg, WebSocketMessageType.Binary, true, ct)|};
                            msg = Array.Empty<byte>();
                            var raw = await ws.DetachAsync(ct);
                            return raw;
                        }

                        public async Task<Stream> FieldReset(HandoffWebSocket ws, CancellationToken ct)
                        {
                            await {|WSH006:ws.SendAsync(_last, WebSocketMessageType.Binary, true, ct)|};
                            Reset();
                            return await ws.DetachAsync(ct);
                        }

                        private void Reset() => _last = new byte[4];

                        public async Task<Stream> Logged(HandoffWebSocket ws, CancellationToken ct)
                        {
                            Console.WriteLine("switching");
                            await Task.Delay(10, ct);
                            return await ws.SendAndDetachAsync(Encoding.UTF8.GetBytes("SWITCH"), WebSocketMessageType.Text, ct);
                        }
                    }
                    """,
                FixedState = { MarkupHandling = Microsoft.CodeAnalysis.Testing.MarkupMode.Allow },
            }.RunAsync();
        }

        [Fact]
        public async Task Fix_all_names_the_detached_stream_apart_from_a_later_local_a_field_and_a_lambda_local_called_raw()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Flow)
            {
                TestCode = """
                    using System;
                    using System.Collections.Generic;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class R
                    {
                        private List<byte> raw = new List<byte>();

                        public async Task A(Stream stream, bool x, CancellationToken ct)
                        {
                            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await {|WSH001:stream.WriteAsync(new byte[1], ct)|};
                            if (x) { var raw = new byte[1]; Console.WriteLine(raw.Length); }
                        }

                        public async Task B(Stream stream, CancellationToken ct)
                        {
                            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await {|WSH001:stream.FlushAsync(ct)|};
                            raw.Add(1);
                        }

                        public async Task C(Stream stream, CancellationToken ct)
                        {
                            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await {|WSH001:stream.FlushAsync(ct)|};
                            Action a = () => { var raw = 1; Console.WriteLine(raw); };
                            a();
                        }
                    }
                    """,
                FixedCode = """
                    using System;
                    using System.Collections.Generic;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class R
                    {
                        private List<byte> raw = new List<byte>();

                        public async Task A(Stream stream, bool x, CancellationToken ct)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            var raw1 = await ws.DetachAsync(ct);
                            await raw1.WriteAsync(new byte[1], ct);
                            if (x) { var raw = new byte[1]; Console.WriteLine(raw.Length); }
                        }

                        public async Task B(Stream stream, CancellationToken ct)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            var raw1 = await ws.DetachAsync(ct);
                            await raw1.FlushAsync(ct);
                            raw.Add(1);
                        }

                        public async Task C(Stream stream, CancellationToken ct)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            var raw1 = await ws.DetachAsync(ct);
                            await raw1.FlushAsync(ct);
                            Action a = () => { var raw = 1; Console.WriteLine(raw); };
                            a();
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task Fix_all_detaches_with_Detach_inside_a_lock_of_an_async_method_and_offers_nothing_for_a_send_and_a_raw_write_in_one_WhenAll()
        {
            // `await` cannot appear in a lock body; a statement that sends on the WebSocket and writes raw at once has no
            // point where a detach could go.
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Flow)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class L
                    {
                        private readonly object _gate = new object();

                        public async Task A(Stream stream, CancellationToken ct)
                        {
                            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await ws.ReceiveAsync(new byte[1].AsMemory(), ct);
                            lock (_gate)
                            {
                                {|WSH001:stream.Write(new byte[1])|};
                            }
                        }

                        public async Task B(Stream stream, CancellationToken ct)
                        {
                            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await ws.ReceiveAsync(new byte[1].AsMemory(), ct);
                            lock (_gate)
                                {|WSH001:stream.Flush()|};
                        }

                        public async Task C(Stream stream, CancellationToken ct)
                        {
                            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await Task.WhenAll(ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct), {|WSH001:stream.WriteAsync(new byte[1], 0, 1, ct)|});
                        }
                    }
                    """,
                FixedCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class L
                    {
                        private readonly object _gate = new object();

                        public async Task A(Stream stream, CancellationToken ct)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await ws.ReceiveAsync(new byte[1].AsMemory(), ct);
                            lock (_gate)
                            {
                                var raw = ws.Detach();
                                raw.Write(new byte[1]);
                            }
                        }

                        public async Task B(Stream stream, CancellationToken ct)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await ws.ReceiveAsync(new byte[1].AsMemory(), ct);
                            lock (_gate)
                            {
                                var raw = ws.Detach();
                                raw.Flush();
                            }
                        }

                        public async Task C(Stream stream, CancellationToken ct)
                        {
                            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await Task.WhenAll(ws.SendAsync(new byte[1], WebSocketMessageType.Binary, true, ct), {|WSH001:stream.WriteAsync(new byte[1], 0, 1, ct)|});
                        }
                    }
                    """,
                FixedState = { MarkupHandling = Microsoft.CodeAnalysis.Testing.MarkupMode.Allow },
            }.RunAsync();
        }
    }
}
