using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using WebSocketHandoff.Analyzers.Rules;
using WebSocketHandoff.CodeFixes.Fixers;
using WebSocketHandoff.CodeFixes.Tests.Infrastructure;

namespace WebSocketHandoff.CodeFixes.Tests
{
    public class UseHandoffWebSocketShapesEndToEndTests
    {
        private static IEnumerable<DiagnosticAnalyzer> Analyzers() => new DiagnosticAnalyzer[] { new RawTransportUseAnalyzer() };

        [Fact]
        public async Task Fix_in_top_level_statements_inserts_the_detach_as_a_top_level_statement()
        {
            var test = new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Analyzers)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;

                    Stream stream = new MemoryStream();
                    var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                    await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, default);
                    await {|WSH001:stream.FlushAsync()|};
                    """,
                FixedCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using WebSocketHandoff;

                    Stream stream = new MemoryStream();
                    var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                    await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, default);
                    var raw = await ws.DetachAsync();
                    await raw.FlushAsync();
                    """,
            };
            test.TestState.OutputKind = OutputKind.ConsoleApplication;
            await test.RunAsync();
        }

        [Fact]
        public async Task Fix_retypes_a_using_statement_variable_and_replaces_a_TcpClient_GetStream_root_but_leaves_an_unfixable_plan()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Analyzers)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.Sockets;
                    using System.Net.Security;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class C
                    {
                        async Task RunAsync(TcpClient client, CancellationToken token)
                        {
                            using (WebSocket ws = WebSocket.CreateFromStream(client.GetStream(), true, null, TimeSpan.Zero))
                            {
                                var buffer = new byte[10];
                                await ws.ReceiveAsync(buffer, token);
                                await {|WSH001:client.GetStream().WriteAsync(buffer, token)|};
                            }
                        }

                        // Raw uses on the SslStream and on the stream beneath it: the analyzer marks the plan not fixable.
                        async Task SslAsync(Stream inner, CancellationToken token)
                        {
                            var ssl = new SslStream(inner);
                            var ws = WebSocket.CreateFromStream(ssl, true, null, TimeSpan.Zero);
                            await {|WSH001:ssl.WriteAsync(new byte[1], token)|};
                            await {|WSH001:inner.FlushAsync(token)|};
                        }
                    }
                    """,
                FixedCode = """
                    using System;
                    using System.IO;
                    using System.Net.Sockets;
                    using System.Net.Security;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class C
                    {
                        async Task RunAsync(TcpClient client, CancellationToken token)
                        {
                            using (HandoffWebSocket ws = HandoffWebSocket.CreateFromStream(client.GetStream(), true, null, TimeSpan.Zero))
                            {
                                var buffer = new byte[10];
                                await ws.ReceiveAsync(buffer, token);
                                var raw = await ws.DetachAsync(token);
                                await raw.WriteAsync(buffer, token);
                            }
                        }

                        // Raw uses on the SslStream and on the stream beneath it: the analyzer marks the plan not fixable.
                        async Task SslAsync(Stream inner, CancellationToken token)
                        {
                            var ssl = new SslStream(inner);
                            var ws = WebSocket.CreateFromStream(ssl, true, null, TimeSpan.Zero);
                            await {|WSH001:ssl.WriteAsync(new byte[1], token)|};
                            await {|WSH001:inner.FlushAsync(token)|};
                        }
                    }
                    """,
                // The unfixable plan's diagnostics stay; markup in the fixed code states them.
                FixedState = { MarkupHandling = MarkupMode.Allow },
            }.RunAsync();
        }

        [Fact]
        public async Task Fix_of_a_WebSocket_held_in_a_field_casts_it_at_the_detach()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Analyzers)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class Session
                    {
                        private readonly Stream _stream;
                        private WebSocket? _socket;

                        public Session(Stream stream) => _stream = stream;

                        public async Task UpgradeAsync(byte[] buffer, CancellationToken cancellationToken)
                        {
                            this._socket = WebSocket.CreateFromStream(_stream, true, null, TimeSpan.Zero);
                            await _socket.ReceiveAsync(buffer, cancellationToken);
                            await {|WSH001:_stream.WriteAsync(buffer, cancellationToken)|};
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

                    class Session
                    {
                        private readonly Stream _stream;
                        private WebSocket? _socket;

                        public Session(Stream stream) => _stream = stream;

                        public async Task UpgradeAsync(byte[] buffer, CancellationToken cancellationToken)
                        {
                            this._socket = HandoffWebSocket.CreateFromStream(_stream, true, null, TimeSpan.Zero);
                            await _socket.ReceiveAsync(buffer, cancellationToken);
                            var raw = await ((HandoffWebSocket)_socket).DetachAsync(cancellationToken);
                            await raw.WriteAsync(buffer, cancellationToken);
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task Fix_of_raw_uses_in_a_loop_detaches_once_before_the_loop()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Analyzers)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class Pump
                    {
                        async Task RunAsync(Stream stream, Stream target, CancellationToken cancellationToken)
                        {
                            var ws = WebSocket.CreateFromStream(stream, false, null, TimeSpan.Zero);
                            var buffer = new byte[4096];
                            while (true)
                            {
                                var n = await {|WSH001:stream.ReadAsync(buffer, cancellationToken)|};
                                if (n == 0) break;
                                await target.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                            }
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

                    class Pump
                    {
                        async Task RunAsync(Stream stream, Stream target, CancellationToken cancellationToken)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, false, null, TimeSpan.Zero);
                            var buffer = new byte[4096];
                            var raw = await ws.DetachAsync(cancellationToken);
                            while (true)
                            {
                                var n = await raw.ReadAsync(buffer, cancellationToken);
                                if (n == 0) break;
                                await target.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                            }
                        }
                    }
                    """,
            }.RunAsync();
        }
    }
}
