using System.Threading.Tasks;
using WebSocketHandoff.CodeFixes.Fixers;
using WebSocketHandoff.CodeFixes.Tests.Infrastructure;

namespace WebSocketHandoff.CodeFixes.Tests
{
    /// <summary>The WSH002 fixes against the package's real flow analyzers.</summary>
    public class CloseDuringHandoffEndToEndTests
    {
        [Fact]
        public async Task Fix_of_the_real_WSH002_removes_the_close_after_a_detach()
        {
            await new FixTest<CloseDuringHandoffCodeFixProvider>(analyzers: UseHandoffWebSocketEndToEndTests.AllFlowAnalyzers)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Bridge
                    {
                        async Task<Stream> RunAsync(Stream stream, CancellationToken ct)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            var raw = await ws.DetachAsync(ct);
                            await {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", ct)|};
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

                    class Bridge
                    {
                        async Task<Stream> RunAsync(Stream stream, CancellationToken ct)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            var raw = await ws.DetachAsync(ct);
                            return raw;
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task Fix_of_the_real_WSH002_on_a_BCL_WebSocket_detaches_and_drops_the_close()
        {
            await new FixTest<CloseDuringHandoffCodeFixProvider>(analyzers: UseHandoffWebSocketEndToEndTests.AllFlowAnalyzers)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading.Tasks;

                    class Bridge
                    {
                        async Task RunAsync(Stream stream, byte[] buffer)
                        {
                            WebSocket ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await {|WSH001:stream.WriteAsync(buffer, 0, buffer.Length)|};
                            await {|WSH002:ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, default)|};
                        }
                    }
                    """,
                FixedCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Bridge
                    {
                        async Task RunAsync(Stream stream, byte[] buffer)
                        {
                            HandoffWebSocket ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            var raw = await ws.DetachAsync();
                            await raw.WriteAsync(buffer, 0, buffer.Length);
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task Fix_of_the_real_WSH002_guards_a_close_in_a_finally_that_also_runs_when_the_detach_did_not()
        {
            await new FixTest<CloseDuringHandoffCodeFixProvider>(analyzers: UseHandoffWebSocketEndToEndTests.AllFlowAnalyzers)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Bridge
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, bool upgrade, CancellationToken ct)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            try
                            {
                                if (upgrade)
                                {
                                    var raw = await ws.DetachAsync(ct);
                                    await raw.WriteAsync(buffer, ct);
                                }
                            }
                            finally
                            {
                                await {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
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

                    class Bridge
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, bool upgrade, CancellationToken ct)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            try
                            {
                                if (upgrade)
                                {
                                    var raw = await ws.DetachAsync(ct);
                                    await raw.WriteAsync(buffer, ct);
                                }
                            }
                            finally
                            {
                                if (!ws.IsDetached)
                                    await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                            }
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task Fix_all_of_the_real_WSH002_drops_the_close_after_an_unconditional_detach_and_guards_the_one_after_a_branch()
        {
            await new FixTest<CloseDuringHandoffCodeFixProvider>(analyzers: UseHandoffWebSocketEndToEndTests.AllFlowAnalyzers)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Bridge
                    {
                        async Task<Stream> AlwaysAsync(HandoffWebSocket ws, CancellationToken ct)
                        {
                            var raw = await ws.DetachAsync(ct).ConfigureAwait(false);
                            await {|WSH002:ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
                            return raw;
                        }

                        void Sometimes(HandoffWebSocket ws, bool upgrade)
                        {
                            Stream? raw = null;
                            if (upgrade) raw = ws.Detach();
                            {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, default)|}.Wait();
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

                    class Bridge
                    {
                        async Task<Stream> AlwaysAsync(HandoffWebSocket ws, CancellationToken ct)
                        {
                            var raw = await ws.DetachAsync(ct).ConfigureAwait(false);
                            return raw;
                        }

                        void Sometimes(HandoffWebSocket ws, bool upgrade)
                        {
                            Stream? raw = null;
                            if (upgrade) raw = ws.Detach();
                            if (!ws.IsDetached)
                                ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, default).Wait();
                        }
                    }
                    """,
                NumberOfFixAllIterations = 1,
            }.RunAsync();
        }
    }
}
