using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Diagnostics;
using WebSocketHandoff.Analyzers.Rules;
using WebSocketHandoff.CodeFixes.Fixers;
using WebSocketHandoff.CodeFixes.Tests.Infrastructure;

namespace WebSocketHandoff.CodeFixes.Tests.FlowGaps
{
    /// <summary>
    /// Where the handoff fix puts the detach, with the real analyzers: inside a branch written without braces (so it
    /// detaches only when the branch runs), and what it does with the WebSocket calls the detach comes before.
    /// </summary>
    public class DetachPointEndToEndTests
    {
        private static IEnumerable<DiagnosticAnalyzer> Raw() => new DiagnosticAnalyzer[] { new RawTransportUseAnalyzer() };

        private static IEnumerable<DiagnosticAnalyzer> RawAndClose() => new DiagnosticAnalyzer[] { new RawTransportUseAnalyzer(), new CloseDuringHandoffAnalyzer() };

        [Fact]
        public async Task A_raw_use_that_is_the_lone_statement_of_an_if_gets_the_detach_inside_the_branch()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Raw)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class Upgrade
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, CancellationToken ct)
                        {
                            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            var result = await ws.ReceiveAsync(buffer, ct);
                            if (result.Count == 7)
                                await {|WSH001:stream.WriteAsync(buffer, ct)|};
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

                    class Upgrade
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, CancellationToken ct)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            var result = await ws.ReceiveAsync(buffer, ct);
                            if (result.Count == 7)
                            {
                                var raw = await ws.DetachAsync(ct);
                                await raw.WriteAsync(buffer, ct);
                            }
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task A_raw_use_in_the_else_branch_gets_the_detach_there_and_a_close_in_the_other_branch_stays()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: RawAndClose)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class Upgrade
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, CancellationToken ct)
                        {
                            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            var result = await ws.ReceiveAsync(buffer, ct);
                            if (result.MessageType == WebSocketMessageType.Close)
                                await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                            else
                                await {|WSH001:stream.WriteAsync(buffer, ct)|};
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

                    class Upgrade
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, CancellationToken ct)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            var result = await ws.ReceiveAsync(buffer, ct);
                            if (result.MessageType == WebSocketMessageType.Close)
                                await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                            else
                            {
                                var raw = await ws.DetachAsync(ct);
                                await raw.WriteAsync(buffer, ct);
                            }
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task Raw_uses_in_both_branches_still_get_the_detach_before_the_if()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Raw)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class Upgrade
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, bool flush, CancellationToken ct)
                        {
                            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await ws.ReceiveAsync(buffer, ct);
                            if (flush)
                                await {|WSH001:stream.FlushAsync(ct)|};
                            else
                                await {|WSH001:stream.WriteAsync(buffer, ct)|};
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

                    class Upgrade
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, bool flush, CancellationToken ct)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await ws.ReceiveAsync(buffer, ct);
                            var raw = await ws.DetachAsync(ct);
                            if (flush)
                                await raw.FlushAsync(ct);
                            else
                                await raw.WriteAsync(buffer, ct);
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task A_raw_use_under_a_using_statement_without_braces_gets_the_detach_inside_it()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Raw)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class Upgrade
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, CancellationToken ct)
                        {
                            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await ws.ReceiveAsync(buffer, ct);
                            if (buffer[0] == 1)
                                using (var timeout = new CancellationTokenSource())
                                    await {|WSH001:stream.WriteAsync(buffer, timeout.Token)|};
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

                    class Upgrade
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, CancellationToken ct)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await ws.ReceiveAsync(buffer, ct);
                            if (buffer[0] == 1)
                                using (var timeout = new CancellationTokenSource())
                                {
                                    var raw = await ws.DetachAsync(ct);
                                    await raw.WriteAsync(buffer, timeout.Token);
                                }
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task A_detach_moved_before_a_loop_that_still_receives_is_not_offered()
        {
            // The raw use is in a loop the creation is not in: the detach would go before the loop, and the loop's
            // ReceiveAsync would then throw. No mechanical rewrite: the warning stays.
            const string code = """
                using System;
                using System.IO;
                using System.Net.WebSockets;
                using System.Threading;
                using System.Threading.Tasks;

                class Bridge
                {
                    async Task RunAsync(Stream stream, Stream target, byte[] buffer, CancellationToken ct)
                    {
                        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        while (true)
                        {
                            var r = await ws.ReceiveAsync(buffer, ct);
                            if (r.MessageType == WebSocketMessageType.Close) break;
                            await {|WSH001:stream.WriteAsync(buffer, 0, r.Count, ct)|};
                        }
                    }
                }
                """;
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Raw) { TestCode = code, FixedCode = code }.RunAsync();
        }

        [Fact]
        public async Task A_detach_moved_up_past_a_close_that_followed_no_raw_use_drops_that_close_too()
        {
            // Raw uses in the `if` and after it: the detach goes before the `if`. The close in the else branch followed
            // no raw use (WSH002 does not report it) but now follows the detach: left as written it would throw.
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: RawAndClose)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class Upgrade
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, bool upgrade, CancellationToken ct)
                        {
                            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await ws.ReceiveAsync(buffer, ct);
                            if (upgrade)
                            {
                                await {|WSH001:stream.WriteAsync(buffer, ct)|};
                            }
                            else
                            {
                                await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                            }

                            await {|WSH001:stream.FlushAsync(ct)|};
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

                    class Upgrade
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, bool upgrade, CancellationToken ct)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await ws.ReceiveAsync(buffer, ct);
                            var raw = await ws.DetachAsync(ct);
                            if (upgrade)
                            {
                                await raw.WriteAsync(buffer, ct);
                            }
                            else
                            {
                            }

                            await raw.FlushAsync(ct);
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task A_close_before_the_detach_point_stays_as_written()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: RawAndClose)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class Upgrade
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, CancellationToken ct)
                        {
                            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            var r = await ws.ReceiveAsync(buffer, ct);
                            if (r.MessageType == WebSocketMessageType.Close)
                            {
                                await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                                return;
                            }

                            await {|WSH001:stream.WriteAsync(buffer, ct)|};
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

                    class Upgrade
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, CancellationToken ct)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            var r = await ws.ReceiveAsync(buffer, ct);
                            if (r.MessageType == WebSocketMessageType.Close)
                            {
                                await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                                return;
                            }

                            var raw = await ws.DetachAsync(ct);
                            await raw.WriteAsync(buffer, ct);
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task A_raw_use_that_is_the_body_of_the_using_statement_of_the_WebSocket_gets_the_detach_in_that_body()
        {
            // Before, the detach point was the using statement itself, outside the WebSocket's scope: no fix was offered.
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(analyzers: Raw)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class Upgrade
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, CancellationToken ct)
                        {
                            using (var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero))
                                await {|WSH001:stream.WriteAsync(buffer, ct)|};
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

                    class Upgrade
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, CancellationToken ct)
                        {
                            using (var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero))
                            {
                                var raw = await ws.DetachAsync(ct);
                                await raw.WriteAsync(buffer, ct);
                            }
                        }
                    }
                    """,
            }.RunAsync();
        }
    }
}