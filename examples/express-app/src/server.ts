// `npm start` / `npm run dev`: serve the app on PORT (default 3000).
import { createApp } from "./app.js";

const port = Number(process.env.PORT ?? 3000);
createApp().listen(port, () => {
  console.log(`express-app listening on http://localhost:${port}`);
});
